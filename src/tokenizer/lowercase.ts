/**
 * Lowercasing as Rust `tokenizers` does it, one character at a time. JavaScript's
 * `toLowerCase` follows Unicode's context-sensitive Final_Sigma rule (a word-final Σ
 * becomes ς), which Rust's per-character `char::to_lowercase` does not (Σ is always σ);
 * it is the only context-sensitive mapping of default lowercasing, so mapping Σ to σ
 * first makes the two agree. Python's model2vec tokenizes through Rust.
 */

const CAPITAL_SIGMA = "\u03a3";
const SMALL_SIGMA = "\u03c3";

/** `text` lowercased as Rust `tokenizers`' Lowercase and BertNormalizer do. */
export function lowercase(text: string): string {
  return withoutCapitalSigma(text).toLowerCase();
}

/** `text` with every Σ replaced by σ, which a following `toLowerCase` then leaves alone. */
export function withoutCapitalSigma(text: string): string {
  return text.includes(CAPITAL_SIGMA) ? text.replaceAll(CAPITAL_SIGMA, SMALL_SIGMA) : text;
}
