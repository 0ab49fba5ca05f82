/** `model2vec train`: fine-tune a model into a classifier from a labelled table file. */
import { Command, Option } from "commander";
import { contextOf } from "../context.js";
import { loadModel } from "../load-model.js";
import { readLabelledTexts } from "../labelled-texts.js";
import { licenseId, nonNegativeInteger, positiveInteger } from "../options.js";

interface TrainCommandOptions {
  format?: "csv" | "tsv" | "jsonl";
  textColumn: string;
  labelColumn: string;
  maxEpochs?: number;
  seed?: number;
  model?: string;
  license?: string;
}

export function trainCommand(): Command {
  return new Command("train")
    .summary("fine-tune a model into a classifier on labelled texts")
    .description(
      "Fine-tune a static model and an MLP head on a CSV, TSV or JSONL file of texts and labels (StaticModelForClassification), and save the classifier folder: the model2vec files plus head.safetensors and classifier_config.json.",
    )
    .argument("<data>", "a CSV, TSV or JSONL file of labelled texts")
    .argument("<outputDir>", "folder to save the classifier in")
    .option("-m, --model <idOrPath>", "the model to start from (default: the bundled default model)")
    .addOption(new Option("--format <format>", "file format (default: from the extension)").choices(["csv", "tsv", "jsonl"]))
    .option("--text-column <name>", "column or key holding the text", "text")
    .option("--label-column <name>", "column or key holding the label; in JSONL it may hold a list of labels (multi-label)", "label")
    .option("--max-epochs <n>", "most training epochs (default 100)", positiveInteger)
    .option("--seed <n>", "random seed (default 42)", nonNegativeInteger)
    .option("--license <id>", "licence in the saved model card (default: the model's, else mit)", licenseId)
    .action(async (data: string, outputDir: string, options: TrainCommandOptions, command: Command) => {
      const context = contextOf(command);
      const format = options.format ?? (data.endsWith(".jsonl") ? "jsonl" : data.endsWith(".tsv") ? "tsv" : "csv");
      const { texts, labels } = await readLabelledTexts(data, format, { text: options.textColumn, label: options.labelColumn });
      const model = await loadModel(options.model, context);
      const { StaticModelForClassification } = await import("../../train/index.js");
      const classifier = StaticModelForClassification.fromStaticModel({ model, ...(options.seed === undefined ? {} : { seed: options.seed }) });
      const history = await classifier.fit(texts, labels, {
        ...(options.maxEpochs === undefined ? {} : { maxEpochs: options.maxEpochs }),
        onProgress: (p) => context.note(`epoch ${p.epoch}: train loss ${p.trainLoss.toFixed(4)}, validation ${p.valMetric.toFixed(4)}`),
      });
      await classifier.savePretrained(outputDir, { license: options.license });
      const kind = classifier.multilabel ? ", multi-label" : "";
      process.stdout.write(`saved ${outputDir} (${classifier.classes.length} classes${kind}, ${history.epochs} epochs, best ${history.bestEpoch})\n`);
    });
}
