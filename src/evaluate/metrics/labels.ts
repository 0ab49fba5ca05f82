/** Class and cluster labels, ordered as numpy and scikit-learn order them. */

/** A class or cluster label, as MTEB datasets carry them. */
export type Label = string | number;

/**
 * Orders labels as `numpy.unique` does, which is how scikit-learn lists classes
 * (`LogisticRegression.classes_`, `unique_labels`): numbers ascending, strings by
 * Unicode code point (numpy compares UCS-4 code points; UTF-16 comparison would
 * misorder astral characters). Mixing numbers and strings is refused, as numpy
 * refuses to sort such an array.
 */
export function sortLabels<L extends Label>(labels: Iterable<L>): L[] {
  const unique = [...new Set(labels)];
  let numbers = 0;
  for (const label of unique) {
    if (typeof label === "number") {
      if (Number.isNaN(label)) throw new RangeError("labels: NaN is not a label");
      numbers++;
    }
  }
  if (numbers === unique.length) return unique.sort((a, b) => (a as number) - (b as number));
  if (numbers === 0) return unique.sort((a, b) => compareCodePoints(a as string, b as string));
  throw new TypeError("labels: a mix of numbers and strings (numpy/scikit-learn cannot order them)");
}

/**
 * Compares two strings by Unicode code point, which is also the byte order of
 * their UTF-8 encodings (what C's `strcmp` sees, e.g. in trec_eval). Surrogate
 * code units (U+D800–DFFF) are moved above U+E000–FFFF so that astral
 * characters sort after every BMP character.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca !== cb) {
      if (ca >= 0xd800 && cb >= 0xd800) {
        ca = ca >= 0xe000 ? ca - 0x800 : ca + 0x2000;
        cb = cb >= 0xe000 ? cb - 0x800 : cb + 0x2000;
      }
      return ca - cb;
    }
  }
  return a.length - b.length;
}
