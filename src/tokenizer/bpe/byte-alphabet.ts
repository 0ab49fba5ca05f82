/**
 * GPT-2's `bytes_to_unicode`: each byte as a printable character, so byte strings
 * can be BPE vocabulary entries. Printable Latin-1 bytes map to themselves; the
 * other 68 (controls, space, U+00AD…) map to U+0100 onwards in byte order.
 */

/** The character of each byte value, indexed by byte. */
export const BYTE_CHARS: readonly string[] = (() => {
  const chars: string[] = new Array(256);
  let next = 0x100;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    chars[b] = String.fromCharCode(printable ? b : next++);
  }
  return chars;
})();
