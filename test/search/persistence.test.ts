import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IndexFormatError, InvalidInputError } from "../../src/errors.js";
import { readSafetensors } from "../../src/formats/safetensors.js";
import { writeSafetensors } from "../../src/formats/safetensors-writer.js";
import { Embeddings } from "../../src/linalg/embeddings.js";
import { VectorIndex } from "../../src/search/vector-index.js";
import { rejection, thrown } from "../fixtures/errors.js";
import { randomMatrix } from "../fixtures/random.js";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "m2v-index-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const dim = 12;
const encoder = {
  dim,
  encode: (texts: string[]) => new Embeddings(randomMatrix(texts.length, dim, texts.join("").length), texts.length, dim),
};

function sampleIndex(): VectorIndex<{ tag: string }> {
  const index = VectorIndex.fromVectors<{ tag: string }>(new Embeddings(randomMatrix(300, dim, 1), 300, dim), {
    ids: Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? `doc-${i}` : i)),
    texts: Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? undefined : `text ${i}`)),
    metadata: Array.from({ length: 300 }, (_, i) => (i % 5 === 0 ? undefined : { tag: `t${i % 7}` })),
  });
  index.remove(["doc-10", 11]);
  return index;
}

describe("VectorIndex persistence", () => {
  it("save and load round-trip vectors, ids, texts and metadata: the same answers to the same queries", async () => {
    const index = sampleIndex();
    const folder = join(work, "round-trip");
    await index.save(folder);
    expect((await readdir(folder)).sort()).toEqual(["index.json", "vectors.safetensors"]);
    const json = JSON.parse(await readFile(join(folder, "index.json"), "utf8"));
    expect(json).toMatchObject({ format: "model2vec-vector-index", version: 1, dim, count: 298 });
    expect(json.ids.slice(0, 3)).toEqual(["doc-0", 1, "doc-2"]);
    expect(json.texts.slice(0, 3)).toEqual([null, "text 1", "text 2"]);
    const { tensors } = readSafetensors(await readFile(join(folder, "vectors.safetensors")));
    expect(tensors.get("vectors")).toMatchObject({ dtype: "F32", shape: [298, dim] });

    const loaded = await VectorIndex.load<{ tag: string }>(folder, encoder);
    expect(loaded.size).toBe(298);
    expect(loaded.ids()).toEqual(index.ids());
    expect(loaded.rows().vectors).toEqual(index.rows().vectors);
    const queries = new Embeddings(randomMatrix(4, dim, 99), 4, dim);
    expect(loaded.searchVectors(queries, { k: 300 })).toEqual(index.searchVectors(queries, { k: 300 }));
    expect(await loaded.search(["q"], { k: 5 })).toEqual(index.searchVectors(encoder.encode(["q"]), { k: 5 }));
    // Saving again over the folder replaces the files and leaves no temporary files.
    loaded.remove(loaded.ids().slice(0, 100));
    await loaded.save(folder);
    expect((await readdir(work)).sort()).toEqual(["round-trip"]);
    expect((await VectorIndex.load(folder)).size).toBe(198);
  });

  it("toFiles and fromFiles carry the same index without a file system, as a Map or a record", () => {
    const index = sampleIndex();
    const files = index.toFiles();
    const queries = new Embeddings(randomMatrix(3, dim, 5), 3, dim);
    const expected = index.searchVectors(queries, { k: 7 });
    expect(VectorIndex.fromFiles(files).searchVectors(queries, { k: 7 })).toEqual(expected);
    expect(VectorIndex.fromFiles(Object.fromEntries(files)).searchVectors(queries, { k: 7 })).toEqual(expected);
    const empty = VectorIndex.fromFiles(new VectorIndex(5).toFiles());
    expect([empty.size, empty.dim]).toEqual([0, 5]);
  });

  it("names the folder and file at fault for missing, truncated and inconsistent files", async () => {
    const good = sampleIndex().toFiles();
    const json = JSON.parse(new TextDecoder().decode(good.get("index.json")!));
    const withJson = (change: Record<string, unknown>): Map<string, Uint8Array> =>
      new Map([...good, ["index.json", new TextEncoder().encode(JSON.stringify({ ...json, ...change }))]]);
    const vectors = good.get("vectors.safetensors")!;
    const cases: [Map<string, Uint8Array>, string][] = [
      [new Map([["index.json", good.get("index.json")!]]), "dir/vectors.safetensors is missing"],
      [new Map([["vectors.safetensors", vectors]]), "dir/index.json is missing"],
      [new Map([...good, ["index.json", new TextEncoder().encode('{"format": "model2vec-vec')]]), "dir/index.json is not valid JSON"],
      [withJson({ format: "other" }), 'dir/index.json: expected "format": "model2vec-vector-index"'],
      [withJson({ version: 2 }), "dir/index.json: version 2 is not supported"],
      [withJson({ ids: json.ids.slice(1) }), 'dir/index.json: "ids" must be an array of 298 ids'],
      [withJson({ ids: [json.ids[1], ...json.ids.slice(1)] }), "dir/index.json: id 1 appears twice"],
      [withJson({ texts: [] }), 'dir/index.json: "texts" must be an array of 298 entries'],
      [withJson({ count: 297, ids: json.ids.slice(1), texts: undefined, metadata: undefined }), 'dir/vectors.safetensors: "vectors" is F32 [298,12], index.json says F32 [297, 12]'],
      [new Map([...good, ["vectors.safetensors", vectors.subarray(0, vectors.length - 40)]]), "dir/vectors.safetensors:"],
      [
        new Map([...good, ["vectors.safetensors", writeSafetensors([{ name: "vectors", dtype: "F64", shape: [298, dim], data: new Float64Array(298 * dim) }])]]),
        'dir/vectors.safetensors: "vectors" is F64 [298,12]',
      ],
      [new Map([...good, ["vectors.safetensors", writeSafetensors([])]]), 'dir/vectors.safetensors: no tensor named "vectors"'],
    ];
    for (const [files, message] of cases) {
      const error = thrown(() => VectorIndex.fromFiles(files, { source: "dir" }));
      expect(error, message).toBeInstanceOf(IndexFormatError);
      expect(error.message).toContain(message);
    }

    // The same through load, naming the folder.
    const folder = join(work, "truncated");
    await sampleIndex().save(folder);
    await writeFile(join(folder, "vectors.safetensors"), vectors.subarray(0, 100));
    const truncated = await rejection(VectorIndex.load(folder));
    expect(truncated).toBeInstanceOf(IndexFormatError);
    expect(truncated.message).toContain(`${folder}/vectors.safetensors:`);
    await rm(join(folder, "index.json"));
    const missing = await rejection(VectorIndex.load(folder));
    expect(missing).toBeInstanceOf(IndexFormatError);
    expect(missing.message).toContain(`${folder}/index.json is missing`);
    await rm(work + "/truncated", { recursive: true });
  });

  it("refuses a model whose width is not the index's", async () => {
    const folder = join(work, "width");
    await new VectorIndex(8).save(folder);
    const error = await rejection(VectorIndex.load(folder, encoder));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain("the model makes 12-dimensional vectors, the index holds 8");
    await rm(folder, { recursive: true });
  });
});
