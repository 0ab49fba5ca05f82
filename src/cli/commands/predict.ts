/** `model2vec predict`: the labels a classifier saved by `train` gives texts. */
import { Command, Option } from "commander";
import type { ClassLabel } from "../../train/labels.js";
import { contextOf } from "../context.js";
import { UsageError } from "../errors.js";
import { float32Json, inputTexts, writeOutput } from "../io.js";
import { offline, withDownloadBar } from "../load-model.js";
import { probability } from "../options.js";

export const PREDICT_FORMATS = ["jsonl", "text"] as const;

interface PredictCommandOptions {
  file?: string;
  format: (typeof PREDICT_FORMATS)[number];
  threshold?: number;
}

/** Texts labelled per write. */
const CHUNK = 1024;

export function predictCommand(): Command {
  return new Command("predict")
    .summary("label texts with a classifier saved by train")
    .description(
      "Label texts with a classifier saved by `model2vec train` (a folder or Hugging Face Hub id). Texts come from the arguments, else from --file (one per line), else from stdin (one per line).",
    )
    .argument("<classifier>", "classifier folder or Hugging Face Hub id")
    .argument("[texts...]", "texts to label")
    .option("-f, --file <path>", 'read texts from a file, one per line ("-" for stdin)')
    .addOption(new Option("--format <format>", "output format").choices(PREDICT_FORMATS).default("jsonl"))
    .option("--threshold <p>", "multi-label classifiers: the probability a label needs to be given (default 0.5)", probability)
    .addHelpText(
      "after",
      `
Formats:
  jsonl  one JSON object per text: {"label": …, "probabilities": {"<label>": p, …}},
         or {"labels": [ … ], "probabilities": … } for a multi-label classifier (default)
  text   the label of each text, one per line (a multi-label classifier's joined by ", ")

Examples:
  model2vec predict ./my-classifier "what a great film" "dull and too long"
  model2vec predict ./my-classifier --file reviews.txt --format text`,
    )
    .action(async (classifierPath: string, texts: string[], options: PredictCommandOptions, command: Command) => {
      const context = contextOf(command);
      const inputs = await inputTexts(texts, options.file);
      const [{ StaticModelForClassification }, { CLASSIFIER_CONFIG_FILE }] = await Promise.all([
        import("../../train/index.js"),
        import("../../train/classifier-config.js"),
      ]);
      const classifier = await withDownloadBar(context, classifierPath, (onProgress) =>
        StaticModelForClassification.fromPretrained(classifierPath, { ...offline(context), onProgress }),
      );
      if (classifier.head === null) {
        throw new UsageError(`${classifierPath} holds a model but no classifier (no ${CLASSIFIER_CONFIG_FILE}): make one with "model2vec train"`);
      }
      if (options.threshold !== undefined && !classifier.multilabel) {
        throw new UsageError("--threshold applies to multi-label classifiers; this one gives one label per text");
      }
      const threshold = options.threshold === undefined ? {} : { threshold: options.threshold };
      const { classes } = classifier;
      await writeOutput(undefined, async (out) => {
        for (let first = 0; first < inputs.length; first += CHUNK) {
          const chunk = inputs.slice(first, first + CHUNK);
          const labels = classifier.predict(chunk, threshold);
          const proba = options.format === "jsonl" ? classifier.predictProba(chunk) : null;
          let text = "";
          for (let i = 0; i < chunk.length; i++) {
            const label = labels[i]!;
            const n = classes.length;
            text += proba === null ? `${textLine(label)}\n` : `${jsonLine(label, classes, proba.subarray(i * n, (i + 1) * n), first + i + 1)}\n`;
          }
          await out.write(text);
        }
      });
    });
}

/** `--format text`: the label, or a multi-label classifier's labels joined by ", ". */
function textLine(label: ClassLabel | ClassLabel[]): string {
  return Array.isArray(label) ? label.join(", ") : String(label);
}

/** `--format jsonl`: `{"label": …, "probabilities": {"<class>": p, …}}` ("labels" for a list) of text number `text`. */
function jsonLine(label: ClassLabel | ClassLabel[], classes: readonly ClassLabel[], probabilities: Float32Array, text: number): string {
  const scores = classes.map((name, c) => {
    const where = () => `the probability of ${JSON.stringify(name)} for text ${text}`;
    return `${JSON.stringify(String(name))}:${float32Json(probabilities[c]!, where)}`;
  });
  return `{"${Array.isArray(label) ? "labels" : "label"}":${JSON.stringify(label)},"probabilities":{${scores.join(",")}}}`;
}
