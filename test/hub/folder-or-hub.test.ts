/**
 * A name that is no local folder: "no such folder" when it cannot be a Hub id either, and both
 * possibilities named when it can, through the library and the CLI.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HubError, InvalidInputError, StaticModel } from "../../src/index.js";
import { ROOT, cli } from "../fixtures/run-cli.js";

/** The discard port: nothing listens there, so the Hub lookup fails at once. The CLI runs in the repository root, which has no "my-potin". */
const UNREACHABLE = "http://127.0.0.1:9";
let scratch: string;
let hubEnv: Record<string, string>;

const savedEnv = { ...process.env };
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "m2v-folder-or-hub-"));
  hubEnv = { HF_ENDPOINT: UNREACHABLE, HF_HUB_OFFLINE: "", HF_HOME: join(scratch, "hf-home"), HF_HUB_CACHE: join(scratch, "cache") };
  Object.assign(process.env, hubEnv);
});
afterAll(async () => {
  process.env = savedEnv;
  await rm(scratch, { recursive: true, force: true });
});

const failure = (name: string) => StaticModel.fromPretrained(name).then(() => new Error("loaded"), (e: unknown) => e as Error);

describe("fromPretrained with a name that is no local folder", () => {
  it("says 'no such folder' when the name cannot be a Hub id", async () => {
    for (const name of ["./my-potin", "/no/such/folder", "a/b/c"]) {
      const error = await failure(name);
      expect(error, name).toBeInstanceOf(InvalidInputError);
      expect(error.message).toBe(`No such folder: "${name}" is neither a local folder nor a valid Hub model id (org/name).`);
    }
  });

  it("names both possibilities when the name could be either, with the Hub's reason", async () => {
    const error = await failure("my-potin");
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toMatch(
      new RegExp(`^No folder named "my-potin" here \\(${ROOT.replace(/\/$/, "")}/my-potin\\), and the Hub lookup failed: Could not reach the Hub at http://127\\.0\\.0\\.1:9 `),
    );
  });
});

describe("model2vec info with a name that is no local folder", () => {
  it("info ./my-potin: no such folder, exit 1", async () => {
    const run = await cli(["info", "./my-potin"], { env: hubEnv });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: No such folder: "./my-potin" is neither a local folder nor a valid Hub model id (org/name).\n');
  });

  it("info my-potin: no folder here, and why the Hub lookup failed, exit 1", async () => {
    const run = await cli(["info", "my-potin"], { env: hubEnv });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^error: No folder named "my-potin" here \\(${ROOT.replace(/\/$/, "")}/my-potin\\), and the Hub lookup failed: Could not reach the Hub at http://127\\.0\\.0\\.1:9 \\(resolving my-potin@main: `),
    );
    expect(run.stderr).not.toContain("--verbose");
  });
});
