/**
 * The data folder of the built-in tasks (`shared/data`): which files each task reads,
 * relative to the folder. Kept apart from the loaders so the CLI's help can show the
 * layout without loading them.
 */

/** Built-in task name → the files it reads, relative to the data folder. */
export const BUILTIN_DATA_FILES = {
  stsb: ["sts/stsbenchmark/sts-test.csv"],
  sst2: ["classification/sst2/sentiment-train", "classification/sst2/sentiment-test"],
  trec: ["classification/trec/train_5500.label", "classification/trec/TREC_10.label"],
  banking77: ["classification/banking77/train.csv", "classification/banking77/test.csv"],
  emotion: ["classification/emotion/train.jsonl", "classification/emotion/test.jsonl"],
  "banking77-clustering": ["classification/banking77/test.csv"],
  "stsb-pairs": ["sts/stsbenchmark/sts-test.csv"],
  cranfield: ["retrieval/cranfield/cran.all.1400", "retrieval/cranfield/cran.qry", "retrieval/cranfield/cranqrel"],
} as const satisfies Record<string, readonly string[]>;

/** The layout as text: one line per file (in task order), then the tasks that read it. */
export function describeDataLayout(indent = "  "): string {
  const readers = new Map<string, string[]>();
  for (const [task, files] of Object.entries(BUILTIN_DATA_FILES)) {
    for (const file of files) readers.set(file, [...(readers.get(file) ?? []), task]);
  }
  const width = Math.max(...[...readers.keys()].map((file) => file.length));
  return [...readers].map(([file, tasks]) => `${indent}${file.padEnd(width)}  ${tasks.join(", ")}`).join("\n");
}
