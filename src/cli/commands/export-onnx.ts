/** `model2vec export-onnx`: the model as an ONNX graph. */
import { Command } from "commander";
import { contextOf } from "../context.js";
import { loadModel } from "../load-model.js";
import { loadOnnxExportModule } from "../optional-modules.js";

export function exportOnnxCommand(): Command {
  return new Command("export-onnx")
    .summary("export a model as an ONNX model")
    .description("Export a model as an ONNX model (embedding bag over token ids) into a folder, with its tokenizer.")
    .argument("<idOrPath>", "model folder or Hugging Face Hub id")
    .argument("<outputDir>", "folder to write the ONNX model to")
    .action(async (idOrPath: string, outputDir: string, _options: object, command: Command) => {
      const context = contextOf(command);
      // Before loading the model: a missing exporter should not cost a download.
      const { exportOnnx } = await loadOnnxExportModule();
      const model = await loadModel(idOrPath, context);
      await exportOnnx(model, outputDir);
      process.stdout.write(`exported ${idOrPath} to ${outputDir}\n`);
    });
}
