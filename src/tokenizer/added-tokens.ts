/**
 * Literal added tokens, matched as tokenizers.js matches them: in the raw text,
 * scanning left to right, the longest token starting at the first position where
 * any token starts (its DictionarySplitter); and a whole normalized section that
 * equals a token becomes that token. Shared by the specialised tokenizers.
 */
import { UnitTrie } from "./unit-trie.js";

export class AddedTokens {
  /** Where the match last found by {@link find} starts and ends, and its id. */
  start = -1;
  end = -1;
  id = -1;
  readonly #trie = new UnitTrie();
  readonly #ids: ReadonlyMap<string, number>;
  readonly #lengths: Set<number>;
  /** 1 for the code units some token starts with, so most positions cost one load. */
  readonly #first = new Uint8Array(0x10000);
  /** The one unit every token starts with (as "<" for GPT-2's and "[" for BERT's), or null. */
  readonly #onlyFirst: string | null;

  /** Tokens by content; contents must be non-empty. */
  constructor(ids: ReadonlyMap<string, number>) {
    this.#ids = ids;
    this.#lengths = new Set([...ids.keys()].map((content) => content.length));
    const firsts = new Set<string>();
    for (const [content, id] of ids) {
      this.#trie.insert(content, id);
      this.#first[content.charCodeAt(0)] = 1;
      firsts.add(content[0]!);
    }
    this.#onlyFirst = firsts.size === 1 ? [...firsts][0]! : null;
  }

  get size(): number {
    return this.#ids.size;
  }

  /** Finds the next token at or after `from` (then `start`, `end`, `id` describe it); false when none. */
  find(text: string, from: number): boolean {
    const trie = this.#trie;
    const first = this.#first;
    const only = this.#onlyFirst;
    const n = text.length;
    for (let i = from; i < n; i++) {
      if (only !== null) {
        // indexOf is vectorised: far faster than a loop over units when candidates are rare.
        i = text.indexOf(only, i);
        if (i < 0) return false;
      } else if (first[text.charCodeAt(i)] === 0) {
        continue;
      }
      let node = 0;
      let id = -1;
      let end = -1;
      for (let j = i; j < n; j++) {
        node = trie.child(node, text.charCodeAt(j));
        if (node < 0) break;
        const t = trie.terminal(node);
        if (t >= 0) {
          id = t;
          end = j + 1;
        }
      }
      if (id >= 0) {
        this.start = i;
        this.end = end;
        this.id = id;
        return true;
      }
    }
    return false;
  }

  /** The id of the token `text` is exactly, or -1. */
  idOf(text: string): number {
    return this.#lengths.has(text.length) ? (this.#ids.get(text) ?? -1) : -1;
  }

  /** Whether some token is `length` units long (lets a caller skip building a string for {@link idOf}). */
  hasLength(length: number): boolean {
    return this.#lengths.has(length);
  }
}
