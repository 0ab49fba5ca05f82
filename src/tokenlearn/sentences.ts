/**
 * Sentences for featurization, split from corpora that hold one paragraph per
 * line (tokenlearn's teacher targets are per text, and a sentence
 * fits the teacher's 128-token window where a paragraph often does not).
 * Deterministic, so a resumed featurization sees the same texts. Node-only.
 */
import { type CorpusSource, readCorpus } from "./corpus.js";

/** Abbreviations whose final "." does not end a sentence (compared lowercased). */
const ABBREVIATIONS = new Set([
  "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "col", "capt", "lt", "sgt", "rev", "hon", "mt", "ft",
  "no", "vs", "etc", "e.g", "i.e", "cf", "al", "fig", "vol", "ch", "p", "pp", "co", "inc", "ltd", "corp", "bros",
  "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "a.d", "b.c",
]);

/** A sentence end: . ! ? and closing quotes or brackets, then space, then what may start a sentence. */
const BOUNDARY = /([.!?]+["'”’)\]]*)\s+(?=["'“‘(\[]?[\p{Lu}\p{N}])/gu;

/**
 * The sentences of one paragraph, trimmed, in order. A boundary is ". ", "! " or
 * "? " (closing quotes or brackets allowed) before an upper-case letter, digit or
 * opening quote, unless the word before the "." is a known abbreviation or a
 * single letter (an initial, "J. S. Bach").
 */
export function splitSentences(paragraph: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  for (const match of paragraph.matchAll(BOUNDARY)) {
    const end = match.index + match[1]!.length;
    // A single "." (not "...") may end an abbreviation or an initial instead.
    if (/^\.(?!\.)/.test(match[1]!)) {
      const word = /([\p{L}.]+)\.$/u.exec(paragraph.slice(start, end))?.[1]?.toLowerCase() ?? "";
      if (ABBREVIATIONS.has(word) || /^\p{L}$/u.test(word)) continue;
    }
    const sentence = paragraph.slice(start, end).trim();
    if (sentence !== "") sentences.push(sentence);
    start = end;
  }
  const last = paragraph.slice(start).trim();
  if (last !== "") sentences.push(last);
  return sentences;
}

export interface SentenceCorpusOptions {
  /** Sentences with fewer whitespace-separated words are left out. Default 3. */
  minWords?: number | undefined;
}

/**
 * The sentences of several paragraph corpora, interleaved: one paragraph from
 * each source in turn (a source that runs out drops out of the rotation), so any
 * prefix mixes them.
 */
export async function* interleavedSentences(sources: readonly CorpusSource[], options: SentenceCorpusOptions = {}): AsyncGenerator<string, void, undefined> {
  const minWords = options.minWords ?? 3;
  const readers = sources.map((source) => readCorpus(source)[Symbol.asyncIterator]());
  try {
    let active = readers.slice();
    while (active.length > 0) {
      const next: typeof active = [];
      for (const reader of active) {
        const paragraph = await reader.next();
        if (paragraph.done) continue;
        next.push(reader);
        for (const sentence of splitSentences(paragraph.value)) {
          if (sentence.split(/\s+/).length >= minWords) yield sentence;
        }
      }
      active = next;
    }
  } finally {
    await Promise.all(readers.map((reader) => reader.return?.(undefined)));
  }
}
