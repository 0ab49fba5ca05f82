/** `model2vec quantize`: a smaller copy of a model. */
import { Command, Option } from "commander";
import { contextOf } from "../context.js";
import { UsageError } from "../errors.js";
import { checkOutputFolder } from "../io.js";
import { loadModel } from "../load-model.js";
import { licenseId, positiveInteger } from "../options.js";

export const DTYPES = ["float16", "float32", "float64", "int8"] as const;

interface QuantizeCommandOptions {
  to?: (typeof DTYPES)[number];
  dimensionality?: number;
  vocabularyQuantization?: number;
  license?: string;
  force?: boolean;
}

export function quantizeCommand(): Command {
  return new Command("quantize")
    .summary("convert a model's dtype, cut its dimensions or cluster its vocabulary")
    .description(
      "Quantize a model and save it in the model2vec layout: convert the table's dtype (--to), keep the first n dimensions (--dimensionality), and/or cluster the vocabulary into k rows with k-means (--vocabulary-quantization). At least one of them is needed.",
    )
    .argument("<idOrPath>", "model folder or Hugging Face Hub id")
    .argument("<outputDir>", "folder to save the quantized model in")
    .addOption(new Option("--to <dtype>", "dtype to store the embeddings in").choices(DTYPES))
    .option("--dimensionality <n>", "keep only the first n dimensions", positiveInteger)
    .option("--vocabulary-quantization <k>", "cluster the vocabulary into k rows (k-means)", positiveInteger)
    .option("--license <id>", "licence in the saved model card (default: the model's, else mit)", licenseId)
    .option("--force", "write into <outputDir> even if it already holds files")
    .action(async (idOrPath: string, outputDir: string, options: QuantizeCommandOptions, command: Command) => {
      const context = contextOf(command);
      if (options.to === undefined && options.dimensionality === undefined && options.vocabularyQuantization === undefined) {
        throw new UsageError("nothing to do: give --to, --dimensionality and/or --vocabulary-quantization");
      }
      await checkOutputFolder(outputDir, options.force === true);
      const model = await loadModel(idOrPath, context);
      const { quantizeModel } = await import("../../index.js");
      if (options.vocabularyQuantization !== undefined) context.note(`clustering ${model.tokens.length} tokens into ${options.vocabularyQuantization} rows…`);
      const quantized = quantizeModel(model, {
        quantizeTo: options.to ?? null,
        dimensionality: options.dimensionality ?? null,
        vocabularyQuantization: options.vocabularyQuantization ?? null,
      });
      await quantized.savePretrained(outputDir, { license: options.license });
      const rows = quantized.vocabularyQuantization === null ? "" : `, ${quantized.vocabularyQuantization} rows`;
      process.stdout.write(`saved ${outputDir} (${quantized.dim} dimensions, ${quantized.embeddingDtype}${rows})\n`);
    });
}
