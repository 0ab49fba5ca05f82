/** The `model2vec` command line: its commands, global flags, exit codes. */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { dedupCommand } from "./commands/dedup.js";
import { distillCommand } from "./commands/distill.js";
import { encodeCommand } from "./commands/encode.js";
import { evaluateCommand } from "./commands/evaluate.js";
import { exportOnnxCommand } from "./commands/export-onnx.js";
import { infoCommand } from "./commands/info.js";
import { predictCommand } from "./commands/predict.js";
import { quantizeCommand } from "./commands/quantize.js";
import { serveCommand } from "./commands/serve.js";
import { trainCommand } from "./commands/train.js";
import { stopAllBars } from "./context.js";
import { Model2VecError } from "../errors.js";
import { EXIT_OK, EXIT_USAGE, reportError, withFlagNames } from "./errors.js";

/** The program with every command; `exitOverride` makes commander throw instead of exiting. */
export function buildProgram(): Command {
  const program = new Command("model2vec")
    .description("Model2Vec static text embeddings: encode, inspect, quantize, distill, evaluate, train, predict, export and serve models.")
    .version(packageVersion(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .option("--verbose", "print stack traces of errors")
    .option("--quiet", "hide progress bars and notes")
    .option("--offline", "use only models already in the Hugging Face cache (as HF_HUB_OFFLINE=1)")
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
    })
    .addHelpText(
      "after",
      `
Exit codes: 0 success, 1 runtime error, 2 usage error.
Run "model2vec <command> --help" for a command's options.`,
    );
  for (const command of [
    encodeCommand(),
    infoCommand(),
    quantizeCommand(),
    distillCommand(),
    evaluateCommand(),
    trainCommand(),
    predictCommand(),
    exportOnnxCommand(),
    serveCommand(),
    dedupCommand(),
  ]) {
    // Commands built standalone do not inherit these; set them as `program.command()` would.
    command.copyInheritedSettings(program);
    program.addCommand(command);
  }
  return program;
}

/**
 * Runs the command line `argv` (without node and the script).
 *
 * @returns The exit code: 0 ok, 1 runtime error, 2 usage error.
 */
export async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  let running: Command | undefined;
  program.hook("preAction", (_program, command) => {
    running = command;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (error) {
    stopAllBars();
    if (error instanceof CommanderError) {
      // Commander has already printed its message (and help when asked for).
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.exitCode === 0) return EXIT_OK;
      return EXIT_USAGE;
    }
    const verbose = program.opts<{ verbose?: boolean }>().verbose === true || argv.includes("--verbose");
    if (error instanceof Model2VecError && running !== undefined) error.message = withFlagNames(error.message, running);
    return reportError(error, verbose);
  }
}

/** The version in the package.json next to the sources (src/cli/ → ../../) or the bundle (dist/ → ../). */
function packageVersion(): string {
  for (const relative of ["../package.json", "../../package.json"]) {
    try {
      const json = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (json.name === "model2vec" && typeof json.version === "string") return json.version;
    } catch {
      // Try the next candidate.
    }
  }
  return "unknown";
}
