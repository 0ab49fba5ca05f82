/**
 * Turns a SentencePiece vocabulary in the form TF.js Universal Sentence Encoder
 * ships it (`vocab.json`: `[piece, score]` pairs in id order) into a Hugging Face
 * `tokenizer.json` document that segments text the way USE's own JavaScript
 * tokenizer does (`@tensorflow-models/universal-sentence-encoder`, tokenizer/index.ts).
 *
 * What USE's tokenizer does before its Viterbi pass, and how each step is mirrored:
 *
 * 1. `text.normalize("NFKC")` — normalizer `NFKC`.
 * 2. If the result is not empty: every U+0020 space becomes "▁" (only U+0020; tabs and
 *    newlines stay, and are unknown characters) and one "▁" is prepended, even when
 *    the text already starts with a space or "▁" — normalizers `Replace(" " → "▁")`
 *    and `Prepend("▁")`. The Metaspace pre-tokenizer would skip its own prefix when
 *    the text starts with a space ("  x" gives "▁▁x" in USE, "▁x" in Metaspace), so
 *    the normalizer does this and the Metaspace pre-tokenizer (prepend_scheme
 *    "always", split false) finds nothing left to do; it stays for the decoder's sake
 *    and for tools that look for a Metaspace tokenizer.
 * 3. One Viterbi pass over the whole string (no split on "▁"; no USE piece contains
 *    an inner "▁", so splitting would not change the result either) — model `Unigram`.
 *
 * The vocabulary itself needs four adjustments, all matching USE's segmenter:
 *
 * - Ids below `reservedCount` (USE: 6 — "\uFFFD" the unknown piece, `<s>`, `</s>`,
 *   `extra_token_id_1..3`) are never produced from text: USE leaves them out of its
 *   trie. Here the unknown piece is `unk_id` and the others get {@link NEVER_SCORE},
 *   which loses to spelling them out with ordinary pieces (every character of USE-lite's
 *   reserved pieces is itself a piece). The Unigram model derives its unknown-node
 *   score from the lowest score (−1010 here); that changes no segmentation, since an
 *   unknown character is covered by no other piece.
 * - A piece listed more than once (USE-lite: "”5" at ids 230, 238 and 4464) is found
 *   by USE under its last id only (the trie insert overwrites). The earlier ids are
 *   renamed `"<piece> <duplicate ID of LAST>"` (e.g. "”5 <duplicate 230 of 4464>";
 *   the space makes them unmatchable, since the normalizer replaces every space)
 *   with {@link NEVER_SCORE}. Names must be unique for the tokenizer libraries to
 *   give every id a token.
 * - A `null` score counts as 0, as `null + number` does in USE's JavaScript. USE-lite
 *   has seven, all pieces with a colon (":", "://", "▁:", "▁:)", "▁:(", "):", "▁:-)"),
 *   plus ":30" scored +30 and ":00" scored 0 — apparently an export glitch, but it is
 *   what USE segments with, so the scores are kept as they are.
 * - Consecutive unknown characters become one unknown id in USE; the Unigram model
 *   fuses unknowns the same way.
 *
 * No post-processor and no added tokens: USE adds no special tokens, and its graph
 * takes sparse input, so there is no padding token either.
 *
 * Known differences (checked against a re-implementation of USE's segmenter in
 * test/distill/use-teacher.test.ts; none in ordinary English sentences):
 * - Exact score ties ("oooo" as "ooo|o" or "o|ooo"): USE keeps the later-starting last
 *   piece, Hugging Face's Viterbi the earlier one.
 * - Text opening with a colon piece (":)", ":" ...): USE's forward pass reads a best
 *   score of exactly 0 as "unset", so the zero-score "▁:" path from the start loses
 *   to "▁" + ":"; the Unigram model keeps "▁:".
 */
import { TokenizerError } from "../errors.js";

/** The SentencePiece word-boundary mark, U+2581. */
export const METASPACE = "\u2581";

/** Score given to pieces USE never produces from text (reserved ids, shadowed duplicates). */
export const NEVER_SCORE = -1000;

/** Options of {@link sentencePieceTokenizerJson}. */
export interface SentencePieceTokenizerOptions {
  /** Id of the unknown piece. Default 0 (USE's "\uFFFD"). */
  unkId?: number | undefined;
  /** Ids below this are control or reserved pieces never produced from text. Default 6 (USE). */
  reservedCount?: number | undefined;
}

/** One vocabulary entry as read from `vocab.json`. */
export type SentencePieceEntry = readonly [piece: string, score: number | null];

/**
 * Checks that `vocab` is a non-empty array of `[piece, score]` pairs, the score a
 * finite number or null.
 *
 * @throws TokenizerError naming the first bad entry.
 */
export function parseSentencePieceVocab(vocab: unknown, source = "vocab.json"): SentencePieceEntry[] {
  if (!Array.isArray(vocab) || vocab.length === 0) {
    throw new TokenizerError(`${source} must be a non-empty array of [piece, score] pairs`);
  }
  const entries: SentencePieceEntry[] = [];
  for (let id = 0; id < vocab.length; id++) {
    const entry: unknown = vocab[id];
    if (!Array.isArray(entry) || entry.length < 2 || typeof entry[0] !== "string" || entry[0].length === 0) {
      throw new TokenizerError(`${source} entry ${id} is not a [piece, score] pair with a non-empty piece: ${JSON.stringify(entry)}`);
    }
    const score: unknown = entry[1];
    if (score !== null && (typeof score !== "number" || !Number.isFinite(score))) {
      throw new TokenizerError(`${source} entry ${id} (${JSON.stringify(entry[0])}) has score ${JSON.stringify(score)}; expected a finite number or null`);
    }
    entries.push([entry[0], score]);
  }
  return entries;
}

/**
 * Builds the tokenizer.json document (Unigram + NFKC/▁ normalizer + Metaspace) for
 * a USE-style SentencePiece vocabulary. Ids are kept: id `i` is `vocab[i]`.
 *
 * @param vocab - The parsed `vocab.json`: `[piece, score]` pairs in id order.
 * @throws TokenizerError when the vocabulary or the options are malformed.
 */
export function sentencePieceTokenizerJson(vocab: unknown, options: SentencePieceTokenizerOptions = {}): Record<string, unknown> {
  const entries = parseSentencePieceVocab(vocab);
  const unkId = options.unkId ?? 0;
  const reservedCount = options.reservedCount ?? 6;
  if (!Number.isInteger(unkId) || unkId < 0 || unkId >= entries.length) {
    throw new TokenizerError(`unkId must be an id of the vocabulary (0..${entries.length - 1}), got ${unkId}`);
  }
  if (!Number.isInteger(reservedCount) || reservedCount < 0 || reservedCount > entries.length) {
    throw new TokenizerError(`reservedCount must be an integer in 0..${entries.length}, got ${reservedCount}`);
  }

  // The id USE's trie keeps for each piece: the last one inserted, reserved ids excluded.
  const segmenterId = new Map<string, number>();
  for (let id = reservedCount; id < entries.length; id++) segmenterId.set(entries[id]![0], id);

  // Pieces the segmenter can produce keep their text; the others (the unknown piece,
  // reserved ids, shadowed duplicates) keep theirs only while it is free.
  const taken = new Set(segmenterId.keys());
  const pieces: [string, number][] = entries.map(([piece, score], id) => {
    if (id >= reservedCount && segmenterId.get(piece) === id) return [piece, score ?? 0];
    const base = id >= reservedCount ? `${piece} <duplicate ${id} of ${segmenterId.get(piece)}>` : taken.has(piece) ? `${piece} <reserved ${id}>` : piece;
    let name = base;
    for (let k = 2; taken.has(name); k++) name = `${base} ${k}`;
    taken.add(name);
    return [name, id === unkId ? (score ?? 0) : NEVER_SCORE];
  });

  const metaspace = { type: "Metaspace", replacement: METASPACE, prepend_scheme: "always", split: false };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: {
      type: "Sequence",
      normalizers: [
        { type: "NFKC" },
        { type: "Replace", pattern: { String: " " }, content: METASPACE },
        { type: "Prepend", prepend: METASPACE },
      ],
    },
    pre_tokenizer: metaspace,
    post_processor: null,
    decoder: metaspace,
    model: { type: "Unigram", unk_id: unkId, vocab: pieces, byte_fallback: false },
  };
}
