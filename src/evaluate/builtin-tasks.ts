/**
 * The built-in evaluation tasks: small declarative definitions whose `load(dataDir)`
 * reads the data sets in `dataDir` (the `shared/data` folder, laid out as
 * `./data-layout.ts` says) into the shapes of `./types.ts`. Format details of the real
 * files are handled here and noted per task.
 */
import { join } from "node:path";
import { InvalidInputError } from "../errors.js";
import { BUILTIN_DATA_FILES } from "./data-layout.js";
import { readTable } from "./loaders/delimited.js";
import { loadSmart } from "./loaders/smart.js";
import { at, decodeText, readBytes, splitLines } from "./loaders/text.js";
import type {
  ClassificationData,
  ClusteringData,
  LabelledTexts,
  PairClassificationData,
  RerankingData,
  RetrievalData,
  StsData,
  TaskType,
} from "./types.js";

/** A task of type `T` whose `load` yields `D`. */
export interface TaskOf<T extends TaskType, D> {
  name: string;
  type: T;
  description: string;
  /**
   * The files `load` reads: relative to the data folder, or absolute. Lets a run
   * name missing data before any work (see `findMissingData`).
   */
  dataFiles?: readonly string[] | undefined;
  /** Reads the task's data; `dataDir` is the data folder (`shared/data` for the built-in tasks). */
  load: (dataDir: string) => Promise<D>;
}

export type StsTask = TaskOf<"sts", StsData>;
export type ClassificationTask = TaskOf<"classification", ClassificationData>;
export type ClusteringTask = TaskOf<"clustering", ClusteringData>;
export type PairClassificationTask = TaskOf<"pair-classification", PairClassificationData>;
export type RetrievalTask = TaskOf<"retrieval", RetrievalData>;
export type RerankingTask = TaskOf<"reranking", RerankingData>;

/** Any task definition; `type` tells which data `load` returns. */
export type TaskDefinition = StsTask | ClassificationTask | ClusteringTask | PairClassificationTask | RetrievalTask | RerankingTask;

// ---------------------------------------------------------------------------------------------
// STS Benchmark: tab-separated, no header, NO quoting (sentences hold unbalanced `"`), columns
// genre, file, year, id, score (0–5), sentence1, sentence2; some rows (284 of 1379 in the test
// split, 197 in train) carry two more columns naming the source, which are ignored.

async function loadStsb(path: string): Promise<StsData> {
  const rows = await readTable(path, { format: "tsv", header: false, quoting: false, columns: { score: 4, sentence1: 5, sentence2: 6 } });
  const data: StsData = { sentences1: [], sentences2: [], scores: [] };
  for (const [i, row] of rows.entries()) {
    const score = Number(row.score);
    if (row.score.trim() === "" || !Number.isFinite(score) || score < 0 || score > 5) {
      throw new InvalidInputError(`${at(path, rows.lines[i]!)}: score ${JSON.stringify(row.score)} is not a number in 0–5`);
    }
    data.sentences1.push(row.sentence1);
    data.sentences2.push(row.sentence2);
    data.scores.push(score);
  }
  return data;
}

/** STS-B test pairs turned binary: score ≥ 4 → 1 (similar), score ≤ 1 → 0 (dissimilar), the rest dropped. */
async function loadStsbPairs(path: string): Promise<PairClassificationData> {
  const sts = await loadStsb(path);
  const data: PairClassificationData = { sentences1: [], sentences2: [], labels: [] };
  for (const [i, score] of sts.scores.entries()) {
    if (score > 1 && score < 4) continue;
    data.sentences1.push(sts.sentences1[i]!);
    data.sentences2.push(sts.sentences2[i]!);
    data.labels.push(score >= 4 ? 1 : 0);
  }
  return data;
}

// ---------------------------------------------------------------------------------------------
// SST-2: `text<TAB>label` (0 negative, 1 positive), no header, UTF-8, tokenized text with a
// trailing space before the tab (trimmed here).

async function loadSst2Split(path: string): Promise<LabelledTexts> {
  const rows = await readTable(path, { format: "tsv", header: false, quoting: false, columns: { text: 0, label: 1 } });
  const out: LabelledTexts = { texts: [], labels: [] };
  for (const [i, row] of rows.entries()) {
    const label = row.label.trim();
    if (label !== "0" && label !== "1") throw new InvalidInputError(`${at(path, rows.lines[i]!)}: label ${JSON.stringify(row.label)} is not 0 or 1`);
    out.texts.push(row.text.trim());
    out.labels.push(Number(label));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// TREC question classification: lines `COARSE:fine question text`. `train_5500.label` is not
// UTF-8: one byte, 0xF0 in line 66 ("sister\xF0city"), stands for a space (the Hugging Face
// `trec` script replaces it with one); the files are read as UTF-8 with a Latin-1 fallback and
// U+00F0 is mapped back to a space. The label is the coarse class (ABBR DESC ENTY HUM LOC NUM).

async function loadTrecSplit(path: string): Promise<LabelledTexts> {
  const text = decodeText(await readBytes(path), "auto", path).replaceAll("\u00f0", " ");
  const out: LabelledTexts = { texts: [], labels: [] };
  for (const [k, line] of splitLines(text).entries()) {
    if (line.trim() === "") continue;
    const match = /^([A-Z]+):(\S+)\s+(.*)$/.exec(line.trim());
    if (match === null) throw new InvalidInputError(`${at(path, k + 1)}: expected "COARSE:fine question", got ${JSON.stringify(line)}`);
    out.texts.push(match[3]!.trim());
    out.labels.push(match[1]!);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Banking77: CSV `text,category` with a header and CRLF line ends. test.csv quotes texts that
// hold commas or line breaks; train.csv never quotes, so the few texts that hold line breaks
// (lines 1292–1295, 4485–4486, 7614–7615 of the file) are split over several lines, with blank
// lines in between: a record with too few fields is joined to the next (joinShortRecords).
// Texts are trimmed (a few in test.csv start with a line break).

async function loadBanking77Split(path: string): Promise<LabelledTexts> {
  const rows = await readTable(path, { format: "csv", header: true, joinShortRecords: true, columns: { text: "text", label: "category" } });
  const out: LabelledTexts = { texts: [], labels: [] };
  for (const [i, row] of rows.entries()) {
    const label = row.label.trim();
    if (label === "") throw new InvalidInputError(`${at(path, rows.lines[i]!)}: empty category`);
    out.texts.push(row.text.trim());
    out.labels.push(label);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// dair-ai emotion: JSON Lines `{"text": …, "label": 0–5}` (0 sadness, 1 joy, 2 love, 3 anger,
// 4 fear, 5 surprise); labels are kept as the integers.

async function loadEmotionSplit(path: string): Promise<LabelledTexts> {
  const rows = await readTable(path, { format: "jsonl", columns: { text: "text", label: "label" } });
  const out: LabelledTexts = { texts: [], labels: [] };
  for (const [i, row] of rows.entries()) {
    if (typeof row.text !== "string") throw new InvalidInputError(`${at(path, rows.lines[i]!)}: "text" is not a string`);
    if (typeof row.label !== "number" || !Number.isInteger(row.label)) {
      throw new InvalidInputError(`${at(path, rows.lines[i]!)}: "label" ${JSON.stringify(row.label)} is not an integer`);
    }
    out.texts.push(row.text.trim());
    out.labels.push(row.label);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Cranfield, SMART format. cran.qry's `.I` numbers are 001, 002, 004, 008 … 365 (225 queries),
// while cranqrel numbers queries 1…225 in file order, hence queryIds "sequential". cranqrel
// lines are `query doc code` with Cleverdon's codes, LOWER = MORE relevant (1 complete answer …
// 4 minimal interest) and −1 = not relevant (one such line per query); gain = 5 − code, so
// 1→4, 2→3, 3→2, 4→1, and −1 is dropped. The file has two blank lines and trailing spaces.
// Document text = title + abstract (.T + .W), whitespace normalized; the abstract itself
// usually opens with the title again. Documents 471 and 995 are empty.

async function loadCranfield([documents, queries, qrels]: string[]): Promise<RetrievalData> {
  return loadSmart({
    documents: documents!,
    queries: queries!,
    qrels: qrels!,
    queryIds: "sequential",
    relevance: "cranfield",
    documentFields: ["T", "W"],
    queryFields: ["W"],
  });
}

// ---------------------------------------------------------------------------------------------

/** The paths of built-in task `name`'s data files in `dataDir`. */
function pathsIn(dataDir: string, name: keyof typeof BUILTIN_DATA_FILES): string[] {
  return BUILTIN_DATA_FILES[name].map((file) => join(dataDir, file));
}

/** A classification task reading its train and test splits with `loadSplit`. */
function classificationTask(name: keyof typeof BUILTIN_DATA_FILES, description: string, loadSplit: (path: string) => Promise<LabelledTexts>): ClassificationTask {
  return {
    name,
    type: "classification",
    description,
    dataFiles: BUILTIN_DATA_FILES[name],
    load: async (dataDir) => {
      const [train, test] = pathsIn(dataDir, name);
      return { train: await loadSplit(train!), test: await loadSplit(test!) };
    },
  };
}

const stsb: StsTask = {
  name: "stsb",
  type: "sts",
  description: "STS Benchmark test split: 1379 sentence pairs scored 0–5.",
  dataFiles: BUILTIN_DATA_FILES.stsb,
  load: (dataDir) => loadStsb(pathsIn(dataDir, "stsb")[0]!),
};

const sst2 = classificationTask("sst2", "SST-2 binary sentiment: 67,349 training and 1821 test sentences.", loadSst2Split);
const trec = classificationTask("trec", "TREC question type, 6 coarse classes: 5452 training and 500 test questions.", loadTrecSplit);
const banking77 = classificationTask("banking77", "Banking77 intents: 10,003 training and 3080 test customer queries in 77 classes.", loadBanking77Split);
const emotion = classificationTask("emotion", "dair-ai emotion: 16,000 training and 2000 test tweets in 6 classes.", loadEmotionSplit);

const banking77Clustering: ClusteringTask = {
  name: "banking77-clustering",
  type: "clustering",
  description: "The 3080 Banking77 test queries clustered into their 77 intents.",
  dataFiles: BUILTIN_DATA_FILES["banking77-clustering"],
  load: (dataDir) => loadBanking77Split(pathsIn(dataDir, "banking77-clustering")[0]!),
};

const stsbPairs: PairClassificationTask = {
  name: "stsb-pairs",
  type: "pair-classification",
  description: "STS-B test pairs as pair classification: score ≥ 4 similar (338), score ≤ 1 dissimilar (308), the rest dropped.",
  dataFiles: BUILTIN_DATA_FILES["stsb-pairs"],
  load: (dataDir) => loadStsbPairs(pathsIn(dataDir, "stsb-pairs")[0]!),
};

const cranfield: RetrievalTask = {
  name: "cranfield",
  type: "retrieval",
  description: "Cranfield aeronautics abstracts: 1400 documents, 225 queries with graded relevance judgements.",
  dataFiles: BUILTIN_DATA_FILES.cranfield,
  load: (dataDir) => loadCranfield(pathsIn(dataDir, "cranfield")),
};

/** The built-in tasks by name. */
export const BUILTIN_TASKS: Readonly<Record<string, TaskDefinition>> & {
  readonly stsb: StsTask;
  readonly sst2: ClassificationTask;
  readonly trec: ClassificationTask;
  readonly banking77: ClassificationTask;
  readonly emotion: ClassificationTask;
  readonly "banking77-clustering": ClusteringTask;
  readonly "stsb-pairs": PairClassificationTask;
  readonly cranfield: RetrievalTask;
} = Object.freeze({
  stsb,
  sst2,
  trec,
  banking77,
  emotion,
  "banking77-clustering": banking77Clustering,
  "stsb-pairs": stsbPairs,
  cranfield,
});

/** The names of the built-in tasks, in registry order. */
export const BUILTIN_TASK_NAMES = Object.freeze(Object.keys(BUILTIN_TASKS));
