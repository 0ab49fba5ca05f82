/**
 * The student's vocabulary (Python model2vec v0.8 `tokenizer/tokenizer.py`,
 * `clean_and_create_vocabulary`, with skeletoken): the teacher's tokens minus pruned added tokens and tokens matching
 * the removal pattern, plus custom words, as a new tokenizer.json of the same
 * model type; and for every token, the ids to feed the teacher.
 */
import { InvalidInputError, TokenizerError } from "../errors.js";
import { HuggingFaceTokenizer } from "../tokenizer/hf-tokenizer.js";

/** Options of {@link buildVocabulary}. */
export interface VocabularyOptions {
  /** Extra words; each is normalized and pre-tokenized like text. */
  vocabulary?: readonly string[] | undefined;
  /** Tokens matching this (anchored at the start, as Python's `re.match`) are removed. null keeps all. */
  tokenRemovePattern?: RegExp | string | null | undefined;
  /** Receives what was skipped and why. */
  onLog?: ((message: string) => void) | undefined;
}

/** The result of {@link buildVocabulary}. */
export interface DistillVocabulary {
  /** The student's tokenizer.json. */
  tokenizerJson: Record<string, unknown>;
  /** Every token of the student, by id. */
  tokens: string[];
  /** For each student token, the ids to run through the teacher. */
  teacherInputs: Int32Array[];
}

type ModelType = "WordPiece" | "WordLevel" | "BPE" | "Unigram";

interface Entry {
  token: string;
  /** Unigram score. */
  score?: number;
  /** Text to run through the teacher for tokens the teacher does not know. */
  text?: string | undefined;
  /** A multiword added token (normalized, lstrip/rstrip, not special). */
  multiword?: boolean;
}

/** Python's default `token_remove_pattern`. */
export const DEFAULT_TOKEN_REMOVE_PATTERN = /^\[unused\d+\]/;

/**
 * Builds the student vocabulary from the teacher's tokenizer.json.
 *
 * @throws InvalidInputError for a bad pattern or vocabulary; TokenizerError for an
 *   unsupported tokenizer model or an empty result.
 */
export function buildVocabulary(teacherJson: Record<string, unknown>, options: VocabularyOptions = {}): DistillVocabulary {
  const log = options.onLog ?? (() => {});
  const pattern = anchored(options.tokenRemovePattern === undefined ? DEFAULT_TOKEN_REMOVE_PATTERN : options.tokenRemovePattern);
  const teacher = HuggingFaceTokenizer.fromJSON(teacherJson);
  const json = structuredClone(teacherJson);
  const model = json.model as Record<string, unknown>;
  const type = model.type as string;
  if (!["WordPiece", "WordLevel", "BPE", "Unigram"].includes(type)) {
    throw new TokenizerError(`cannot distill a tokenizer whose model type is ${type}; expected WordPiece, WordLevel, BPE or Unigram`);
  }
  const modelType = type as ModelType;
  const unk = unkToken(model, modelType);
  const pad = padToken(json, teacher.vocabulary);

  // Steps 1 and 3(c): added tokens are pruned to unk and pad, the post-processor dropped.
  const added = new Set((json.added_tokens as { content: string }[] | undefined)?.map((t) => t.content) ?? []);
  const scores = modelType === "Unigram" ? new Map((model.vocab as [string, number][]).map(([piece, score]) => [piece, score])) : null;
  let entries: Entry[] = teacher.vocabulary
    .filter((token) => !added.has(token) || token === unk || token === pad)
    .map((token) => ({ token, ...(scores?.has(token) ? { score: scores.get(token)! } : {}) }));

  // Step 3(a): the removal pattern; the unk token of WordPiece/WordLevel cannot go.
  if (pattern) {
    const keepUnk = modelType === "WordPiece" || modelType === "WordLevel";
    const before = entries.length;
    entries = entries.filter((e) => !pattern.test(e.token) || (keepUnk && e.token === unk));
    if (entries.length < before) log(`removed ${before - entries.length} tokens matching ${pattern}`);
  }

  // Step 3(b), (d), (e): custom words.
  const seen = new Set(entries.map((e) => e.token));
  const multiword: Entry[] = [];
  let empty = 0;
  let duplicates = 0;
  const working = modelType === "BPE" ? bpeAppender(json, entries) : null;
  const minScore = scores ? Math.min(...entries.filter((e) => e.score !== undefined).map((e) => e.score!)) : 0;
  for (const [index, word] of (options.vocabulary ?? []).entries()) {
    if (typeof word !== "string") throw new InvalidInputError(`vocabulary entry at index ${index} is not a string`);
    const pieces = word.trim() === "" ? [] : teacher.preprocess(word);
    if (pieces.length === 0) {
      empty++;
    } else if (pieces.length > 1) {
      if (seen.has(word)) entries = entries.filter((e) => e.token !== word);
      if (multiword.some((m) => m.token === word)) duplicates++;
      else multiword.push({ token: word, text: word, multiword: true });
    } else {
      const piece = pieces[0]!;
      if (seen.has(piece) || (pattern && pattern.test(piece))) {
        duplicates++;
        continue;
      }
      seen.add(piece);
      if (working) {
        for (const token of working.append(piece)) {
          if (token !== piece && seen.has(token)) continue;
          seen.add(token);
          entries.push({ token, text: token === piece ? word : undefined });
        }
      } else {
        entries.push({ token: piece, text: word, ...(scores ? { score: minScore } : {}) });
      }
    }
  }
  if (empty) log(`skipped ${empty} custom words that are empty after normalization`);
  if (duplicates) log(`skipped ${duplicates} custom words already in the vocabulary`);
  if (entries.length + multiword.length === 0) throw new TokenizerError("the vocabulary is empty after cleaning");

  const all = [...entries, ...multiword];
  const tokenizerJson = studentTokenizer(json, modelType, entries, multiword, unk, pad, working?.merges);
  const student = HuggingFaceTokenizer.fromJSON(tokenizerJson);
  const [bos, eos] = boundaryIds(teacherJson, teacher);
  const teacherIds = new Map(teacher.vocabulary.map((token, id) => [token, id]));
  const teacherInputs = all.map((entry, id) => {
    const known = entry.multiword ? undefined : teacherIds.get(entry.token);
    if (known !== undefined) return Int32Array.from([...bos, known, ...eos]);
    // Tokens the teacher lacks are embedded from their text, with the teacher's special tokens.
    const text = entry.text ?? student.decode([id]);
    return Int32Array.from(teacher.encodeWithSpecialTokens(text));
  });
  return { tokenizerJson, tokens: all.map((e) => e.token), teacherInputs };
}

function anchored(pattern: RegExp | string | null): RegExp | null {
  if (pattern === null) return null;
  try {
    const source = typeof pattern === "string" ? pattern : pattern.source;
    const flags = typeof pattern === "string" ? "" : pattern.flags.replace(/[gy]/g, "");
    return new RegExp(source.startsWith("^") ? source : `^(?:${source})`, flags);
  } catch (error) {
    throw new InvalidInputError(`tokenRemovePattern ${JSON.stringify(String(pattern))} is not a valid regular expression`, { cause: error });
  }
}

function unkToken(model: Record<string, unknown>, type: ModelType): string | null {
  if (type === "Unigram") {
    const unkId = model.unk_id;
    return typeof unkId === "number" ? ((model.vocab as [string, number][])[unkId]?.[0] ?? null) : null;
  }
  return typeof model.unk_token === "string" ? model.unk_token : null;
}

/** The padding token: tokenizer.json's padding setting, else a conventional name present in the vocabulary. */
function padToken(json: Record<string, unknown>, vocabulary: readonly string[]): string | null {
  const configured = (json.padding as { pad_token?: string } | null)?.pad_token;
  if (configured && vocabulary.includes(configured)) return configured;
  return ["[PAD]", "<pad>", "<PAD>"].find((token) => vocabulary.includes(token)) ?? null;
}

/**
 * The ids the teacher's post-processor puts before and after a sequence
 * (BertProcessing/RobertaProcessing: cls/sep; TemplateProcessing: the first and
 * last special token of `single`), as skeletoken reads them.
 */
function boundaryIds(json: Record<string, unknown>, teacher: HuggingFaceTokenizer): [number[], number[]] {
  const post = json.post_processor as Record<string, unknown> | null | undefined;
  if (!post) return [[], []];
  if (post.type === "BertProcessing" || post.type === "RobertaProcessing") {
    const cls = post.cls as [string, number];
    const sep = post.sep as [string, number];
    return [[cls[1]], [sep[1]]];
  }
  if (post.type === "TemplateProcessing") {
    const single = post.single as Record<string, { id: string }>[];
    const specials = post.special_tokens as Record<string, { ids: number[] }>;
    // By name first: some saved tokenizers carry stale ids in special_tokens (those saved by model2vec v0.1–v0.5).
    const idsOf = (item: Record<string, { id: string }> | undefined) => {
      const name = item?.SpecialToken?.id;
      if (name === undefined) return [];
      const id = teacher.vocabulary.indexOf(name);
      return id >= 0 ? [id] : (specials[name]?.ids ?? []);
    };
    return [idsOf(single[0]), single.length > 1 ? idsOf(single[single.length - 1]) : []];
  }
  return [[], []];
}

/**
 * Appends tokens to a BPE model: the piece's current segmentation is merged left
 * to right with new merges of lowest priority, so the BPE algorithm reaches the
 * piece; intermediate tokens join the vocabulary too.
 */
function bpeAppender(json: Record<string, unknown>, entries: Entry[]) {
  const model = json.model as { merges: (string | [string, string])[] };
  const merges: [string, string][] = model.merges.map((m) => (typeof m === "string" ? (m.split(" ") as [string, string]) : m));
  const kept = new Set(entries.map((e) => e.token));
  // Merges whose parts or result were removed can no longer apply.
  const live = merges.filter(([a, b]) => kept.has(a) && kept.has(b) && kept.has(a + b));
  const base = HuggingFaceTokenizer.fromJSON({ ...json, added_tokens: [], model: { ...(json.model as object), merges: live } });
  return {
    merges: live,
    append(piece: string): string[] {
      const parts = base.segment(piece);
      const created: string[] = [];
      let current = parts[0] ?? piece;
      for (const part of parts.slice(1)) {
        live.push([current, part]);
        current += part;
        created.push(current);
      }
      return created.length > 0 ? created : [piece];
    },
  };
}

function studentTokenizer(
  json: Record<string, unknown>,
  type: ModelType,
  entries: Entry[],
  multiword: Entry[],
  unk: string | null,
  pad: string | null,
  merges: [string, string][] | undefined,
): Record<string, unknown> {
  const model = { ...(json.model as Record<string, unknown>) };
  if (type === "Unigram") {
    model.vocab = entries.map((e) => [e.token, e.score ?? 0]);
    model.unk_id = unk === null ? null : entries.findIndex((e) => e.token === unk);
  } else {
    model.vocab = Object.fromEntries(entries.map((e, id) => [e.token, id]));
  }
  if (merges) model.merges = merges.map(([a, b]) => `${a} ${b}`);
  const idOf = (token: string) => entries.findIndex((e) => e.token === token);
  const specials = [unk, pad].filter((t): t is string => t !== null && idOf(t) >= 0);
  const added = [
    ...[...new Set(specials)].map((content) => ({ id: idOf(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    ...multiword.map((e, i) => ({ id: entries.length + i, content: e.token, single_word: false, lstrip: true, rstrip: true, normalized: true, special: false })),
  ];
  const padding = json.padding as Record<string, unknown> | null | undefined;
  const preTokenizer = withPrefixSpace(json.pre_tokenizer);
  return {
    ...json,
    truncation: null,
    padding: padding && pad !== null && idOf(pad) >= 0 ? { ...padding, pad_id: idOf(pad), pad_token: pad } : null,
    added_tokens: added,
    pre_tokenizer: preTokenizer,
    post_processor: null,
    model,
  };
}

/** ByteLevel pre-tokenizers get `add_prefix_space: true`, as skeletoken sets it (step 2). */
function withPrefixSpace(preTokenizer: unknown): unknown {
  if (preTokenizer === null || typeof preTokenizer !== "object") return preTokenizer;
  const p = preTokenizer as Record<string, unknown>;
  if (p.type === "ByteLevel") return { ...p, add_prefix_space: true };
  if (p.type === "Sequence" && Array.isArray(p.pretokenizers)) return { ...p, pretokenizers: p.pretokenizers.map(withPrefixSpace) };
  return p;
}
