/**
 * Sentence splitting of paragraph corpora for featurization: where a sentence
 * ends, which dots do not end one, and how several gzip corpora are interleaved.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interleavedSentences, splitSentences } from "../../src/tokenlearn/sentences.js";

describe("splitSentences", () => {
  it("splits after . ! ? (and closing quotes or brackets) before a capital, digit or opening quote", () => {
    expect(splitSentences('He left. She stayed! Did they? "Yes," he said. (Quite.) 1900 came. "Go."')).toEqual([
      "He left.",
      "She stayed!",
      "Did they?",
      '"Yes," he said.',
      "(Quite.)",
      "1900 came.",
      '"Go."',
    ]);
  });

  it("does not split after abbreviations, initials or before a lower-case word", () => {
    expect(splitSentences("Mr. Smith met Dr. Jones in St. Louis. J. S. Bach wrote it, e.g. the Mass. It was 5 p.m. on Dec. 5. The U.S. Army came.")).toEqual([
      "Mr. Smith met Dr. Jones in St. Louis.",
      "J. S. Bach wrote it, e.g. the Mass.",
      "It was 5 p.m. on Dec. 5.",
      "The U.S. Army came.",
    ]);
    expect(splitSentences("Wait... What? ok. fine")).toEqual(["Wait...", "What? ok. fine"]);
  });

  it("trims, and gives nothing for a blank paragraph", () => {
    expect(splitSentences("  One here.   Two there.  ")).toEqual(["One here.", "Two there."]);
    expect(splitSentences("   ")).toEqual([]);
  });
});

describe("interleavedSentences", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "m2v-sentences-"));
    await writeFile(join(dir, "a.txt.gz"), gzipSync("Alpha one two. Alpha three four.\nAlpha five six seven.\nAlpha eight nine ten.\n"));
    await writeFile(join(dir, "b.txt"), "Beta one two. Too short.\n\nBeta three four five.\n");
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("takes one paragraph from each file in turn, drops sentences under minWords, and continues when a file runs out", async () => {
    const out: string[] = [];
    for await (const s of interleavedSentences([{ path: join(dir, "a.txt.gz") }, { path: join(dir, "b.txt") }])) out.push(s);
    expect(out).toEqual([
      "Alpha one two.",
      "Alpha three four.",
      "Beta one two.",
      "Alpha five six seven.",
      "Beta three four five.",
      "Alpha eight nine ten.",
    ]);
    const short: string[] = [];
    for await (const s of interleavedSentences([{ path: join(dir, "b.txt") }], { minWords: 1 })) short.push(s);
    expect(short).toEqual(["Beta one two.", "Too short.", "Beta three four five."]);
  });
});
