/** The benchmark corpus: sentences of wikitext-2 (space-tokenized; sentences end in " . "; headings skipped). */
import { readFileSync } from "node:fs";

export function wikitextSentences(paths: readonly string[]): string[] {
  const sentences: string[] = [];
  for (const path of paths) {
    const text = readFileSync(path, "utf8").replace(/^\uFEFF/, ""); // valid.txt starts with a BOM
    for (const line of text.split("\n")) {
      const trimmed = line.trim();
      if (trimmed === "" || /^=.*=$/.test(trimmed)) continue; // " = = Title = = " headings are not prose
      for (const sentence of line.split(" . ")) {
        const s = sentence.trim();
        if (s !== "") sentences.push(s);
      }
    }
  }
  return sentences;
}

/**
 * Documents of `min`–`max` characters: consecutive sentences joined with " . " (as
 * wikitext writes them) until a seeded target length drawn uniformly from
 * [min, max]. A document closes early rather than pass `max`; the trailing
 * remainder shorter than `min` is dropped.
 */
export function wikitextDocuments(sentences: readonly string[], random: () => number, min = 500, max = 3000): string[] {
  const documents: string[] = [];
  const nextTarget = () => min + Math.floor(random() * (max - min + 1));
  let target = nextTarget();
  let doc = "";
  for (const sentence of sentences) {
    const joined = doc === "" ? sentence : `${doc} . ${sentence}`;
    if (joined.length > max && doc.length >= min) {
      documents.push(doc);
      doc = sentence;
      target = nextTarget();
    } else {
      doc = joined;
    }
    if (doc.length >= target) {
      documents.push(doc);
      doc = "";
      target = nextTarget();
    }
  }
  if (doc.length >= min) documents.push(doc);
  return documents;
}
