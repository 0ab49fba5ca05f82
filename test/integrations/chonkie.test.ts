/** The Chonkie adapter: Chonkie's `EmbeddingModel` backed by a StaticModel, driving `SemanticChunker`. */
import { beforeAll, describe, expect, it } from "vitest";
import { StaticModel } from "../../src/index.js";
import { Model2VecEmbeddingModel } from "../../src/integrations/chonkie.js";
import { expectClose } from "../fixtures/reference.js";

// @chonkiejs/core is not a dev dependency: its optional tree-sitter binaries are missing from the
// registry for most platforms, which breaks `npm ci`. The chunker test runs where it is installed.
type ChonkieModule = { SemanticChunker: { create(options: object): Promise<{ chunk(text: string): Promise<{ text: string; startIndex: number; endIndex: number }[]> }> } };
const chonkie: ChonkieModule | null = await import("@chonkiejs/core" as string).then(
  (module: ChonkieModule) => module,
  () => {
    console.warn("skipping the SemanticChunker test: @chonkiejs/core is not installed (npm install -D @chonkiejs/core)");
    return null;
  },
);

let model: StaticModel;
beforeAll(async () => {
  model = await StaticModel.fromPretrained();
});


const finance =
  "Stock markets and bond markets fell sharply as investors sold shares. The central bank raised interest rates to fight inflation. " +
  "Bond yields climbed to a ten year high. Banks reported lower quarterly profits and higher loan losses. " +
  "Inflation remains above the central bank target. Traders expect the stock market to stay volatile. " +
  "The currency weakened against the dollar. Mortgage rates and loan costs rose for borrowers.";
const pets =
  "Cats are small furry pets that purr. Dogs are loyal animals that love to play fetch. Many families keep a cat or a dog at home. " +
  "Pets need food, water and a visit to the vet. Puppies and kittens sleep a lot. A hamster is another common pet for children. " +
  "Rabbits and guinea pigs are gentle pets too. A kitten chases a ball of yarn while the puppy barks.";

describe("Model2VecEmbeddingModel (Chonkie)", () => {
  it("embed() equals model.encode and dimension is model.dim (Chonkie's EmbeddingModel: embed(texts) → number[][])", async () => {
    const adapter = new Model2VecEmbeddingModel(model);
    expect(adapter.dimension).toBe(model.dim);
    const texts = ["a cat sits on the mat", "interest rates rose", ""];
    const expected = model.encode(texts);
    const { embed } = adapter; // bound: usable as Chonkie's plain EmbedFunction
    const vectors = await embed(texts);
    vectors.forEach((vector, i) => expectClose(vector, expected.row(i)));
    expectClose(await adapter.embedOne("interest rates rose"), model.encode("interest rates rose"));
    expect(await adapter.embed([])).toEqual([]);
    const loaded = await Model2VecEmbeddingModel.fromPretrained(undefined, { encode: { normalize: false } });
    expectClose(await loaded.embedOne("hello world"), model.encode("hello world", { normalize: false }));
  });

  it.skipIf(chonkie === null)("drives SemanticChunker: the split falls at the topic change and the text is preserved", async () => {
    const { SemanticChunker } = chonkie!;
    const embeddings = await Model2VecEmbeddingModel.fromPretrained();
    const chunker = await SemanticChunker.create({ embeddings, threshold: 0.5 });
    const text = `${finance} ${pets}`;
    const boundary = finance.length; // the joining space opens the next chunk
    const chunks = await chunker.chunk(text);

    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks.map((chunk) => chunk.text).join("")).toBe(text);
    for (const chunk of chunks) expect(text.slice(chunk.startIndex, chunk.endIndex)).toBe(chunk.text);
    // One boundary exactly between the topics; no chunk straddles them.
    expect(chunks.map((chunk) => chunk.endIndex)).toContain(boundary);
    for (const chunk of chunks) expect(chunk.startIndex >= boundary || chunk.endIndex <= boundary).toBe(true);

    // The plain-function form gives the same chunks.
    const viaFunction = await SemanticChunker.create({ embeddings: embeddings.embed, threshold: 0.5 });
    expect((await viaFunction.chunk(text)).map((chunk) => chunk.text)).toEqual(chunks.map((chunk) => chunk.text));
  });
});
