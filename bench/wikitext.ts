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
