/** The Tokenizer adapter over `@huggingface/tokenizers`, reading a tokenizer.json. */
import { Tokenizer as TokenizersJs } from "@huggingface/tokenizers";
import { TokenizerError } from "../errors.js";
import { padAstralCjk } from "./bert-normalizer.js";
import { withoutCapitalSigma } from "./lowercase.js";
import type { Tokenizer } from "./tokenizer.js";
import { checkTokenIds, parseTokenizerJson } from "./tokenizer-json.js";

interface TokenizerJsonModel {
  type?: string;
  unk_token?: string | null;
  unk_id?: number | null;
  vocab?: unknown;
}

/**
 * A tokenizer.json run by `@huggingface/tokenizers` with Rust `tokenizers`'
 * inference semantics for Model2Vec: special tokens are never added, and the
 * `padding`, `truncation` and `post_processor` sections are ignored.
 */
export class HuggingFaceTokenizer implements Tokenizer {
  readonly vocabulary: readonly string[];
  readonly unkId: number | null;
  readonly #json: Record<string, unknown>;
  readonly #tokenizer: TokenizersJs;

  private constructor(json: Record<string, unknown>) {
    this.#json = json;
    const model = json.model as TokenizerJsonModel | undefined;
    if (typeof model !== "object" || model === null || typeof model.type !== "string") {
      throw new TokenizerError('tokenizer.json has no "model" with a "type"');
    }
    checkTokenIds(json);
    try {
      // Rust tokenizers ignores tokenizer_config.json, so no config is passed.
      this.#tokenizer = new TokenizersJs(json, {});
    } catch (error) {
      throw new TokenizerError(`tokenizer.json (model type ${model.type}) could not be loaded: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const vocab = this.#tokenizer.get_vocab(true);
    const vocabulary: string[] = [];
    for (const [token, id] of vocab) vocabulary[id] = token;
    for (let id = 0; id < vocabulary.length; id++) {
      if (vocabulary[id] === undefined) throw new TokenizerError(`tokenizer.json vocabulary has no token with id ${id}`);
    }
    this.vocabulary = vocabulary;
    this.unkId = resolveUnkId(model, vocab);
    normalizeLikeRust(this.#tokenizer.normalizer as TokenizersJsNormalizer | null);
  }

  /**
   * Builds a tokenizer from the contents of a tokenizer.json file.
   *
   * @param source - The JSON text, its UTF-8 bytes, or the parsed object.
   * @throws TokenizerError when the JSON does not parse or describes no usable tokenizer.
   */
  static fromJSON(source: string | Uint8Array | object): HuggingFaceTokenizer {
    return new HuggingFaceTokenizer(parseTokenizerJson(source));
  }

  encode(text: string): number[] {
    const ids = this.#tokenizer.encode(text, { add_special_tokens: false }).ids as (number | undefined)[];
    // tokenizers.js reports a WordLevel miss as undefined where Rust gives the unk id.
    if (!ids.includes(undefined)) return ids as number[];
    const unkId = this.unkId;
    return unkId === null ? (ids.filter((id) => id !== undefined) as number[]) : ids.map((id) => id ?? unkId);
  }

  toJSON(): Record<string, unknown> {
    return this.#json;
  }

  /** The pieces the normalizer and pre-tokenizer make of `text`, before the model runs (Python's `preprocess`). */
  preprocess(text: string): string[] {
    const normalizer = this.#tokenizer.normalizer as { normalize(text: string): string } | null;
    const preTokenizer = this.#tokenizer.pre_tokenizer as { pre_tokenize(text: string): string[] } | null;
    const normalized = normalizer ? normalizer.normalize(text) : text;
    return preTokenizer ? preTokenizer.pre_tokenize(normalized) : [normalized];
  }

  /** The model's tokens for one pre-tokenized piece (no normalizer, no added tokens). */
  segment(piece: string): string[] {
    return (this.#tokenizer.model as { encode(tokens: string[]): string[] }).encode([piece]);
  }

  /** Ids of `text` with the post-processor's special tokens, as a teacher model expects them. */
  encodeWithSpecialTokens(text: string): number[] {
    return this.#tokenizer.encode(text, { add_special_tokens: true }).ids as number[];
  }

  /** The text a list of ids decodes to. */
  decode(ids: number[]): string {
    return this.#tokenizer.decode(ids, { skip_special_tokens: false });
  }
}

/** The part of a tokenizers.js normalizer this adapter adjusts. */
interface TokenizersJsNormalizer {
  config?: { type?: string; lowercase?: boolean; handle_chinese_chars?: boolean };
  normalizers?: (TokenizersJsNormalizer | null)[];
  normalize(text: string): string;
}

/**
 * Two fixes that make tokenizers.js normalize as Rust `tokenizers` (and so Python)
 * does, applied to the input of the steps concerned:
 * - Lowercase and lowercasing BertNormalizer steps call `toLowerCase`, whose
 *   final-sigma rule Rust does not apply (see lowercase.ts). Mapping Σ to σ first
 *   changes nothing else: no step before lowercasing treats them differently.
 * - BertNormalizer's handle_chinese_chars misses astral ideographs (see {@link padAstralCjk}).
 */
function normalizeLikeRust(normalizer: TokenizersJsNormalizer | null | undefined): void {
  if (!normalizer) return;
  const config = normalizer.config ?? {};
  if (config.type === "Sequence") {
    for (const inner of normalizer.normalizers ?? []) normalizeLikeRust(inner);
    return;
  }
  const lowercases = config.type === "Lowercase" || (config.type === "BertNormalizer" && config.lowercase === true);
  const pads = config.type === "BertNormalizer" && config.handle_chinese_chars === true;
  if (!lowercases && !pads) return;
  const normalize = normalizer.normalize.bind(normalizer);
  normalizer.normalize = (text) => {
    if (lowercases) text = withoutCapitalSigma(text);
    return normalize(pads ? padAstralCjk(text) : text);
  };
}

/**
 * The unknown-token id: `model.unk_token` looked up in the vocabulary (WordPiece,
 * WordLevel, BPE), or `model.unk_id` (Unigram). Dropping the Unigram unk follows
 * model2vec PR #354, which fixed Python's detection after v0.8.2.
 */
function resolveUnkId(model: TokenizerJsonModel, vocab: Map<string, number>): number | null {
  if (model.type === "Unigram") return typeof model.unk_id === "number" ? model.unk_id : null;
  if (typeof model.unk_token === "string") return vocab.get(model.unk_token) ?? null;
  return null;
}
