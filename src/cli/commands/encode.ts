/** `model2vec encode`: texts in, one vector per text out. */
import { Command, Option } from "commander";
import { contextOf } from "../context.js";
import { UsageError } from "../errors.js";
import { inputTexts, vectorJson, writeOutput } from "../io.js";
import { loadModel } from "../load-model.js";
import { type None, noneToNull, positiveInteger, positiveIntegerOrNone } from "../options.js";

export const ENCODE_FORMATS = ["jsonl", "json", "npy", "safetensors"] as const;
export type EncodeFormat = (typeof ENCODE_FORMATS)[number];

interface EncodeCommandOptions {
  model?: string;
  file?: string;
  format: EncodeFormat;
  output?: string;
  batchSize?: number;
  maxLength?: number | None;
  normalize?: boolean;
}

/** Texts encoded per step of the progress bar (and per write for jsonl/json). */
const DEFAULT_CHUNK = 1024;

export function encodeCommand(): Command {
  return new Command("encode")
    .summary("encode texts to embeddings")
    .description(
      "Encode texts to embeddings with a static model. Texts come from the arguments, else from --file (one per line), else from stdin (one per line).",
    )
    .argument("[texts...]", "texts to encode")
    .option("-m, --model <idOrPath>", "model folder or Hugging Face Hub id (default: the bundled default model)")
    .option("-f, --file <path>", 'read texts from a file, one per line ("-" for stdin)')
    .addOption(new Option("--format <format>", "output format").choices(ENCODE_FORMATS).default("jsonl"))
    .option("-o, --output <path>", "write to this file instead of stdout (required for npy and safetensors)")
    .option("--batch-size <n>", "texts tokenized and pooled together (default 1024)", positiveInteger)
    .option("--max-length <n>", 'tokens kept per text, or "none" (default 512)', positiveIntegerOrNone)
    .option("--normalize", "L2-normalize the vectors (default: as the model's config says)")
    .option("--no-normalize", "do not L2-normalize the vectors")
    .addHelpText(
      "after",
      `
Formats:
  jsonl        one JSON array per text, one per line (default)
  json         one JSON array of arrays
  npy          NumPy .npy, float32 (<f4), shape (texts, dim)
  safetensors  tensor "embeddings", F32 [texts, dim]

Examples:
  model2vec encode --model minishlab/potion-base-8M "hello world" "goodbye"
  model2vec encode --model ./my-model --file texts.txt --format npy --output vectors.npy
  cat texts.txt | model2vec encode --model ./my-model > vectors.jsonl`,
    )
    .action(async (texts: string[], options: EncodeCommandOptions, command: Command) => {
      const context = contextOf(command);
      const { format } = options;
      if ((format === "npy" || format === "safetensors") && (options.output === undefined || options.output === "-")) {
        throw new UsageError(`--format ${format} needs --output <path>`);
      }
      const inputs = await inputTexts(texts, options.file);
      // Without --model, the default model bundled in the package (offline).
      const model = await loadModel(options.model, context);
      const encodeOptions = {
        ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
        ...(options.maxLength === undefined ? {} : { maxLength: noneToNull(options.maxLength) }),
        ...(options.normalize === undefined ? {} : { normalize: options.normalize }),
      };
      const chunk = Math.max(options.batchSize ?? DEFAULT_CHUNK, DEFAULT_CHUNK);
      const dim = model.dim;
      const bar = inputs.length > chunk ? context.bar("encoding", inputs.length, "texts") : null;
      try {
        if (format === "jsonl" || format === "json") {
          await writeOutput(options.output, async (out) => {
            if (format === "json") await out.write("[");
            for (let first = 0; first < inputs.length; first += chunk) {
              const vectors = model.encode(inputs.slice(first, first + chunk), encodeOptions);
              let text = "";
              for (let i = 0; i < vectors.rows; i++) {
                const row = vectorJson(vectors.row(i), `the embedding of text ${first + i + 1}`);
                text += format === "jsonl" ? `${row}\n` : `${first + i ? "," : ""}\n${row}`;
              }
              await out.write(text);
              bar?.update(first + vectors.rows);
            }
            if (format === "json") await out.write(inputs.length ? "\n]\n" : "]\n");
          });
          return;
        }
        const data = new Float32Array(inputs.length * dim);
        for (let first = 0; first < inputs.length; first += chunk) {
          const vectors = model.encode(inputs.slice(first, first + chunk), encodeOptions);
          data.set(vectors.data, first * dim);
          bar?.update(first + vectors.rows);
        }
        bar?.stop();
        let bytes: Uint8Array;
        if (format === "npy") {
          const { npyBytes } = await import("../npy.js");
          bytes = npyBytes(data, inputs.length, dim);
        } else {
          const { writeSafetensors } = await import("../../formats/safetensors-writer.js");
          bytes = writeSafetensors([{ name: "embeddings", dtype: "F32", shape: [inputs.length, dim], data }]);
        }
        await writeOutput(options.output, (out) => out.write(bytes));
        context.note(`wrote ${inputs.length} × ${dim} embeddings to ${options.output}`);
      } finally {
        bar?.stop();
      }
    });
}
