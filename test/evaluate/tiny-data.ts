/**
 * A tiny data folder in the layout the built-in evaluation tasks read (the same
 * files as ../shared/data, a handful of records each), so CLI and README tests can
 * run every built-in task without the real data sets.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

const PAIRS: [number, string, string][] = [
  [5, "the quick brown fox", "the quick brown fox"],
  [4.2, "hello world", "hello there world"],
  [0.4, "the lazy dog", "new york city"],
  [1, "hello", "the fox"],
  [2.5, "quick dog", "lazy dog"],
  [4.8, "new york", "new york city"],
];

const LABELLED: [string, string][] = [
  ["hello world", "greet"],
  ["hello there", "greet"],
  ["hello again world", "greet"],
  ["the quick brown fox", "animal"],
  ["the lazy dog", "animal"],
  ["a brown dog", "animal"],
];

/** File path (relative to the data folder) → content. */
export const TINY_DATA_FILES: Readonly<Record<string, string>> = {
  "sts/stsbenchmark/sts-test.csv": PAIRS.map(([score, a, b], i) => `main-captions\tMSRvid\t2012test\t${i}\t${score}\t${a}\t${b}\n`).join(""),
  "classification/sst2/sentiment-train": LABELLED.map(([text, label]) => `${text} \t${label === "greet" ? 1 : 0}\n`).join(""),
  "classification/sst2/sentiment-test": LABELLED.map(([text, label]) => `${text} \t${label === "greet" ? 1 : 0}\n`).join(""),
  "classification/trec/train_5500.label": LABELLED.map(([text, label]) => `${label === "greet" ? "DESC:def" : "ENTY:animal"} ${text}\n`).join(""),
  "classification/trec/TREC_10.label": LABELLED.map(([text, label]) => `${label === "greet" ? "DESC:def" : "ENTY:animal"} ${text}\n`).join(""),
  "classification/banking77/train.csv": `text,category\r\n${LABELLED.map(([text, label]) => `${text},${label}\r\n`).join("")}`,
  "classification/banking77/test.csv": `text,category\r\n${LABELLED.map(([text, label]) => `${text},${label}\r\n`).join("")}`,
  "classification/emotion/train.jsonl": LABELLED.map(([text, label]) => `${JSON.stringify({ text, label: label === "greet" ? 1 : 0 })}\n`).join(""),
  "classification/emotion/test.jsonl": LABELLED.map(([text, label]) => `${JSON.stringify({ text, label: label === "greet" ? 1 : 0 })}\n`).join(""),
  "retrieval/cranfield/cran.all.1400": ".I 1\n.T\nthe quick brown fox\n.A\nnobody\n.B\nnowhere\n.W\nthe quick brown fox jumps\n.I 2\n.T\nhello world\n.W\nhello world again\n",
  "retrieval/cranfield/cran.qry": ".I 001\n.W\nbrown fox\n.I 002\n.W\nhello\n",
  "retrieval/cranfield/cranqrel": "1 1 1\n2 2 2\n2 1 -1\n",
};

/** Writes the tiny data folder into `dir` (every file of {@link TINY_DATA_FILES}). */
export async function writeTinyData(dir: string): Promise<void> {
  for (const [path, content] of Object.entries(TINY_DATA_FILES)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}
