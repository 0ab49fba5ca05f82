/**
 * The normalizers of the Unigram fast path, run exactly as `@huggingface/tokenizers`
 * runs them (same string operations, same regular expressions), plus an ASCII fast
 * path that writes the normalized text of an all-ASCII input straight into a
 * UTF-16 buffer, with no intermediate strings.
 *
 * The fast path splits the normalizer sequence in two. The leading steps that act
 * on each ASCII character independently (BertNormalizer, NFKC and friends,
 * Lowercase, single-character Replace) compose into one table from each ASCII
 * character to its final expansion, computed once by running the exact steps on
 * that character. The remaining steps (whitespace-run Replace, Strip, Prepend)
 * then run in place on the buffer. A sequence the fast path cannot express still
 * works, through `normalize` only.
 */
import { type BertNormalizerOptions, bertNormalize, parseBertNormalizer } from "../bert-normalizer.js";
import { bmpFlags, F_SPACE } from "../char-classes.js";
import { lowercase } from "../lowercase.js";
import { isRecord } from "../tokenizer-json.js";
import { isWellFormed } from "../text.js";

type UnicodeForm = "NFC" | "NFD" | "NFKC" | "NFKD";

type Step =
  | ({ kind: "bert" } & BertNormalizerOptions)
  | { kind: "unicode"; form: UnicodeForm }
  | { kind: "lowercase" }
  | { kind: "stripAccents" }
  /** `unit` is the pattern's only UTF-16 unit when it is one non-surrogate unit, else -1. */
  | { kind: "replace"; pattern: RegExp; content: string; unit: number; whitespaceRun: boolean }
  | { kind: "strip"; left: boolean; right: boolean }
  | { kind: "prepend"; prepend: string };

/** A step of the fast path that runs in place on the buffer, after the per-character table. */
type TailStep =
  | { kind: "whitespaceRun"; content: number /* one unit, or -1 for "" */ }
  | { kind: "strip"; left: boolean; right: boolean }
  | { kind: "prepend"; units: Uint16Array };

/** The normalized text's place in the buffer: units[lo, hi). */
export interface Window {
  lo: number;
  hi: number;
}

const MARK = /\p{M}/gu;
const NON_ASCII = /[^\x00-\x7f]/;
// tokenizers.js rewrites Oniguruma's \s to \p{White_Space}.
const WHITESPACE_RUN = /\p{White_Space}+/gu;

/** The normalizer of a Unigram tokenizer.json, exact on every input, fast on ASCII. */
export class UnigramNormalizer {
  readonly #steps: readonly Step[];
  /** Per ASCII code: its expansion's only unit, or -1 (see #pool). Null when there is no fast path. */
  readonly #single: Int32Array | null = null;
  readonly #offsets: Int32Array = new Int32Array(129);
  readonly #pool: Uint16Array = new Uint16Array(0);
  readonly #tail: readonly TailStep[] = [];
  /** Most units one ASCII character expands to. */
  readonly maxExpansion: number = 1;
  /** Units the tail's Prepend steps write before the text. */
  readonly headroom: number = 0;

  private constructor(steps: Step[]) {
    this.#steps = steps;
    const fast = compileFastPath(steps);
    if (fast !== null) {
      this.#single = fast.single;
      this.#offsets = fast.offsets;
      this.#pool = fast.pool;
      this.#tail = fast.tail;
      this.maxExpansion = fast.maxExpansion;
      this.headroom = fast.headroom;
    }
  }

  /** The normalizer for a tokenizer.json `normalizer` value, or null when unsupported. */
  static parse(config: unknown): UnigramNormalizer | null {
    const steps: Step[] = [];
    return parseSteps(config, steps) ? new UnigramNormalizer(steps) : null;
  }

  /** Whether `normalizeAsciiInto` can be used. */
  get hasFastPath(): boolean {
    return this.#single !== null;
  }

  /** The normalized text, as tokenizers.js computes it. */
  normalize(text: string): string {
    let out = text;
    for (const step of this.#steps) out = applyStep(step, out);
    return out;
  }

  /**
   * Writes the normalized text of `text[start, end)` into `buffer`, starting at
   * `head` (which must leave `headroom` units free before it, and room for
   * `maxExpansion` units per input unit after it), and sets `window`.
   *
   * @returns false, having written nothing useful, when the input is not all ASCII.
   */
  normalizeAsciiInto(text: string, start: number, end: number, buffer: Uint16Array, head: number, window: Window): boolean {
    const single = this.#single!;
    const offsets = this.#offsets;
    const pool = this.#pool;
    let w = head;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) return false;
      const u = single[c]!;
      if (u >= 0) {
        buffer[w++] = u;
      } else {
        for (let k = offsets[c]!, stop = offsets[c + 1]!; k < stop; k++) buffer[w++] = pool[k]!;
      }
    }
    let lo = head;
    let hi = w;
    for (const step of this.#tail) {
      if (step.kind === "whitespaceRun") {
        hi = collapseWhitespaceRuns(buffer, lo, hi, step.content);
      } else if (step.kind === "strip") {
        const flags = bmpFlags();
        if (step.left) while (lo < hi && flags[buffer[lo]!]! & F_SPACE) lo++;
        if (step.right) while (hi > lo && flags[buffer[hi - 1]!]! & F_SPACE) hi--;
      } else {
        lo -= step.units.length;
        buffer.set(step.units, lo);
      }
    }
    window.lo = lo;
    window.hi = hi;
    return true;
  }
}

/** Flattens `config` into `steps`; false when any part is unsupported. */
function parseSteps(config: unknown, steps: Step[]): boolean {
  if (config === null) return true;
  if (!isRecord(config)) return false;
  switch (config.type) {
    case "Sequence": {
      const normalizers = config.normalizers ?? [];
      return Array.isArray(normalizers) && normalizers.every((n) => parseSteps(n, steps));
    }
    case "BertNormalizer": {
      const options = parseBertNormalizer(config);
      if (options === undefined) return false;
      steps.push({ kind: "bert", ...options });
      return true;
    }
    case "NFC":
    case "NFD":
    case "NFKC":
    case "NFKD":
      steps.push({ kind: "unicode", form: config.type });
      return true;
    case "Lowercase":
      steps.push({ kind: "lowercase" });
      return true;
    case "StripAccents":
      steps.push({ kind: "stripAccents" });
      return true;
    case "Strip": {
      const { strip_left, strip_right } = config;
      if (typeof strip_left !== "boolean" || typeof strip_right !== "boolean") return false;
      steps.push({ kind: "strip", left: strip_left, right: strip_right });
      return true;
    }
    case "Prepend":
      if (typeof config.prepend !== "string" || !isWellFormed(config.prepend)) return false;
      steps.push({ kind: "prepend", prepend: config.prepend });
      return true;
    case "Replace":
      return parseReplace(config, steps);
    default:
      // Precompiled among others: tokenizers.js ignores its charsmap, so it is not Rust's normalizer.
      return false;
  }
}

function parseReplace(config: Record<string, unknown>, steps: Step[]): boolean {
  const { pattern, content } = config;
  if (!isRecord(pattern) || typeof content !== "string" || !isWellFormed(content)) return false;
  // "$`" and "$'" would make String.replaceAll depend on the surrounding text.
  if (/\$[`']/.test(content)) return false;
  const keys = Object.keys(pattern);
  if (keys.length !== 1) return false;
  if (typeof pattern.String === "string") {
    const literal = pattern.String;
    if (literal.length === 0 || !isWellFormed(literal)) return false;
    // As tokenizers.js builds it: the escaped literal with flags "gu".
    const regex = new RegExp(literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gu");
    const unit = literal.length === 1 && (literal.charCodeAt(0) & 0xf800) !== 0xd800 ? literal.charCodeAt(0) : -1;
    steps.push({ kind: "replace", pattern: regex, content, unit, whitespaceRun: false });
    return true;
  }
  // The one regular expression SentencePiece-style tokenizers use; "$" would be a group reference.
  if (pattern.Regex === "\\s+" && !content.includes("$")) {
    steps.push({ kind: "replace", pattern: WHITESPACE_RUN, content, unit: -1, whitespaceRun: true });
    return true;
  }
  return false;
}

/** One step on a whole string, exactly as tokenizers.js's normalizer classes do it. */
function applyStep(step: Step, text: string): string {
  switch (step.kind) {
    case "bert":
      return bertNormalize(text, step);
    case "unicode":
      return text.normalize(step.form);
    case "lowercase":
      return lowercase(text);
    case "stripAccents":
      return text.replace(MARK, "");
    case "replace":
      return text.replaceAll(step.pattern, step.content);
    case "strip": {
      // trim() is trimStart() then trimEnd(): one JavaScript whitespace set for all three.
      let out = text;
      if (step.left) out = out.trimStart();
      if (step.right) out = out.trimEnd();
      return out;
    }
    case "prepend":
      return step.prepend + text;
  }
}

/** Steps that act on each character of an all-ASCII text independently (and keep it ASCII-keyed). */
function isAsciiLocal(step: Step): boolean {
  return step.kind === "bert" || step.kind === "unicode" || step.kind === "lowercase" || step.kind === "stripAccents";
}

interface FastPath {
  single: Int32Array;
  offsets: Int32Array;
  pool: Uint16Array;
  tail: TailStep[];
  maxExpansion: number;
  headroom: number;
}

/** The per-character table and in-place tail for `steps`, or null when they do not fit that form. */
function compileFastPath(steps: readonly Step[]): FastPath | null {
  let expansions = Array.from({ length: 0x80 }, (_, c) => String.fromCharCode(c));
  let i = 0;
  for (; i < steps.length; i++) {
    const step = steps[i]!;
    // A one-unit literal Replace maps each character on its own, whatever the text.
    const local = (step.kind === "replace" && step.unit >= 0) || (isAsciiLocal(step) && expansions.every((e) => !NON_ASCII.test(e)));
    if (!local) break;
    expansions = expansions.map((e) => applyStep(step, e));
  }
  const tail: TailStep[] = [];
  let headroom = 0;
  for (; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.kind === "replace" && step.whitespaceRun && step.content.length <= 1) {
      tail.push({ kind: "whitespaceRun", content: step.content.length === 0 ? -1 : step.content.charCodeAt(0) });
    } else if (step.kind === "strip") {
      tail.push({ kind: "strip", left: step.left, right: step.right });
    } else if (step.kind === "prepend") {
      tail.push({ kind: "prepend", units: Uint16Array.from(step.prepend, (_, k) => step.prepend.charCodeAt(k)) });
      headroom += step.prepend.length;
    } else {
      return null;
    }
  }
  const single = new Int32Array(0x80).fill(-1);
  const offsets = new Int32Array(0x81);
  const pooled: number[] = [];
  let maxExpansion = 1;
  for (let c = 0; c < 0x80; c++) {
    const e = expansions[c]!;
    offsets[c] = pooled.length;
    if (e.length === 1) single[c] = e.charCodeAt(0);
    else for (let k = 0; k < e.length; k++) pooled.push(e.charCodeAt(k));
    maxExpansion = Math.max(maxExpansion, e.length);
  }
  offsets[0x80] = pooled.length;
  return { single, offsets, pool: Uint16Array.from(pooled), tail, maxExpansion, headroom };
}

/** /\p{White_Space}+/gu → `content` (one unit, or -1 for nothing), in place; returns the new end. */
function collapseWhitespaceRuns(buffer: Uint16Array, lo: number, hi: number, content: number): number {
  let w = lo;
  let r = lo;
  while (r < hi) {
    const u = buffer[r]!;
    if (!isWhiteSpace(u)) {
      buffer[w++] = u;
      r++;
      continue;
    }
    while (r < hi && isWhiteSpace(buffer[r]!)) r++;
    if (content >= 0) buffer[w++] = content;
  }
  return w;
}

/** Unicode White_Space (all in the BMP). */
function isWhiteSpace(u: number): boolean {
  if (u <= 0x20) return u === 0x20 || (u >= 0x09 && u <= 0x0d);
  if (u < 0x85) return false;
  return (
    u === 0x85 || u === 0xa0 || u === 0x1680 || (u >= 0x2000 && u <= 0x200a) || u === 0x2028 || u === 0x2029 || u === 0x202f || u === 0x205f || u === 0x3000
  );
}


