/**
 * Splitting text around literal added tokens exactly as tokenizers.js's
 * DictionarySplitter does (see ../added-tokens.ts); text between matches is kept
 * as its own section.
 */
import { AddedTokens } from "../added-tokens.js";

export class AddedTokenSplitter {
  readonly #tokens: AddedTokens;
  readonly #contents: string[];

  /** A splitter for the given non-empty token contents. */
  constructor(contents: Iterable<string>) {
    this.#contents = [...contents];
    this.#tokens = new AddedTokens(new Map(this.#contents.map((content, index) => [content, index])));
  }

  /** The sections of `text`, tokens included, or null when no token occurs in it. */
  split(text: string): string[] | null {
    const tokens = this.#tokens;
    let sections: string[] | null = null;
    let start = 0;
    while (tokens.find(text, start)) {
      sections ??= [];
      if (tokens.start > start) sections.push(text.slice(start, tokens.start));
      sections.push(this.#contents[tokens.id]!);
      start = tokens.end;
    }
    if (sections !== null && start < text.length) sections.push(text.slice(start));
    return sections;
  }
}
