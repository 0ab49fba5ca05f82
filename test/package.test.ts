/** The built package (dist/) loads through both `import` and `require` and encodes the same. */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { generateModel, writeModelFolder } from "./fixtures/models.js";
import { wordPieceTokenizerJson } from "./fixtures/tokenizers.js";
import { StaticModel } from "../src/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = existsSync(`${root}/dist/index.js`) && existsSync(`${root}/dist/index.cjs`);
if (!built) console.warn(`skipping: ${root}dist is not built (run npm run build)`);

describe.skipIf(!built)("built package", () => {
  it("ESM import and CJS require of 'model2vec' give the same vectors as the sources", async () => {
    const folder = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 4 }), "model2vec");
    try {
      const expected = Array.from((await StaticModel.fromPretrained(folder)).encode("hello world"));
      const run = (args: string[]) => JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" })) as number[];
      // The package resolves itself by name through its "exports" map.
      const esm = run([
        "--input-type=module",
        "-e",
        `import { StaticModel } from "model2vec"; const m = await StaticModel.fromPretrained(${JSON.stringify(folder)}); console.log(JSON.stringify(Array.from(m.encode("hello world"))));`,
      ]);
      const cjs = run([
        "-e",
        `const { StaticModel } = require("model2vec"); StaticModel.fromPretrained(${JSON.stringify(folder)}).then((m) => console.log(JSON.stringify(Array.from(m.encode("hello world")))));`,
      ]);
      expect(esm).toEqual(expected);
      expect(cjs).toEqual(expected);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("runs multi-core encode from dist/ (its encode-worker.js) in ESM and CJS, with the same vectors as one thread", async () => {
    const folder = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 8 }), "model2vec");
    try {
      // Enough text to start the pool; prints [shared?, identical to one thread?].
      const body = `const texts = Array.from({ length: 8000 }, (_, i) => "hello world number " + i);
        const one = m.encode(texts, { threads: 1 }).data, two = m.encode(texts, { threads: 2 }).data;
        console.log(JSON.stringify([two.buffer instanceof SharedArrayBuffer, one.every((v, i) => v === two[i])]));`;
      const run = (args: string[]) => JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" })) as boolean[];
      const esm = run(["--input-type=module", "-e", `import { StaticModel } from "model2vec"; const m = await StaticModel.fromPretrained(${JSON.stringify(folder)}); ${body}`]);
      const cjs = run(["-e", `const { StaticModel } = require("model2vec"); StaticModel.fromPretrained(${JSON.stringify(folder)}).then((m) => { ${body} });`]);
      expect(esm).toEqual([true, true]);
      expect(cjs).toEqual([true, true]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
