/** `model2vec distill`: a static model from a sentence transformer. */
import { Command, Option } from "commander";
import type { DistillProgress, PcaDims } from "../../index.js";
import { contextOf, type ProgressBar } from "../context.js";
import { UsageError } from "../errors.js";
import { readText, splitLines } from "../io.js";
import { offline } from "../load-model.js";
import { fractionOrNone, licenseId, type None, noneToNull, pcaDims, positiveInteger } from "../options.js";
import { DTYPES } from "./quantize.js";

export const POOLINGS = ["mean", "first", "last", "pooler", "inner-mean"] as const;

interface DistillCommandOptions {
  pcaDims?: Exclude<PcaDims, null> | None;
  vocabulary?: string;
  quantizeTo?: (typeof DTYPES)[number];
  pooling?: (typeof POOLINGS)[number];
  vocabularyQuantization?: number;
  sifCoefficient?: number | None;
  batchSize?: number;
  threads?: number;
  license?: string;
}

const STAGE_LABELS: Record<DistillProgress["stage"], [string, string]> = {
  teacher: ["teacher passes", "tokens"],
  pca: ["PCA", "steps"],
  quantize: ["quantizing", "steps"],
};

export function distillCommand(): Command {
  return new Command("distill")
    .summary("distill a static model from a sentence transformer")
    .description(
      "Distill a static model from a teacher (an ONNX sentence transformer folder or Hub id, needs onnxruntime-node; or a TF.js Universal Sentence Encoder folder) and save it in the model2vec layout.",
    )
    .argument("<teacher>", "teacher model folder or Hugging Face Hub id")
    .argument("<outputDir>", "folder to save the distilled model in")
    .option("--pca-dims <n|auto|none>", 'PCA output width: an integer, a variance fraction in (0, 1), "auto" (rotation only) or "none" (default 256)', pcaDims)
    .option("--vocabulary <file>", "extra vocabulary, one word per line")
    .addOption(new Option("--quantize-to <dtype>", "dtype of the saved table (default float16)").choices(DTYPES))
    .addOption(new Option("--pooling <mode>", "how the teacher's token outputs become one vector (default mean)").choices(POOLINGS))
    .option("--vocabulary-quantization <k>", "cluster the vocabulary into k rows (k-means)", positiveInteger)
    .option("--sif-coefficient <s|none>", 'SIF weighting coefficient in (0, 1), or "none" (default 1e-4)', fractionOrNone)
    .option("--batch-size <n>", "sequences per teacher call (default 256)", positiveInteger)
    .option("--threads <n>", "ONNX Runtime threads (default: the number of cores)", positiveInteger)
    .option("--license <id>", "licence in the saved model card (default: the teacher's, apache-2.0 for USE, else mit)", licenseId)
    .action(async (teacher: string, outputDir: string, options: DistillCommandOptions, command: Command) => {
      const context = contextOf(command);
      let vocabulary: string[] | undefined;
      if (options.vocabulary !== undefined) {
        vocabulary = splitLines(await readText(options.vocabulary)).map((w) => w.trim()).filter(Boolean);
        if (vocabulary.length === 0) throw new UsageError(`--vocabulary ${options.vocabulary} holds no words`);
      }
      const { distill } = await import("../../index.js");
      let bar = null as ProgressBar | null;
      const notes: string[] = [];
      let stage: DistillProgress["stage"] | null = null;
      const onProgress = (progress: DistillProgress) => {
        if (progress.stage !== stage) {
          stage = progress.stage;
          bar?.stop();
          const [label, unit] = STAGE_LABELS[progress.stage] ?? [progress.stage, ""];
          bar = context.bar(label, progress.total, unit);
        }
        bar?.update(progress.done, progress.total);
      };
      try {
        const model = await distill({
          model: teacher,
          ...offline(context),
          ...(vocabulary === undefined ? {} : { vocabulary }),
          ...(options.pcaDims === undefined ? {} : { pcaDims: noneToNull(options.pcaDims) }),
          ...(options.quantizeTo === undefined ? {} : { quantizeTo: options.quantizeTo }),
          ...(options.pooling === undefined ? {} : { pooling: options.pooling }),
          ...(options.vocabularyQuantization === undefined ? {} : { vocabularyQuantization: options.vocabularyQuantization }),
          ...(options.sifCoefficient === undefined ? {} : { sifCoefficient: noneToNull(options.sifCoefficient) }),
          ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
          ...(options.threads === undefined ? {} : { threads: options.threads }),
          ...(options.license === undefined ? {} : { license: options.license }),
          onProgress,
          // While bars are drawn, notes wait for the end so they do not break them.
          onLog: (message) => (context.progress ? notes.push(message) : context.note(message)),
        });
        bar?.stop();
        for (const note of notes.splice(0)) context.note(note);
        await model.savePretrained(outputDir);
        process.stdout.write(`saved ${outputDir} (${model.dim} dimensions, ${model.tokens.length} tokens, ${model.embeddingDtype})\n`);
      } finally {
        bar?.stop();
        for (const note of notes) context.note(note);
      }
    });
}
