/** Refuses two paired inputs of different lengths, naming the metric. */
export function checkSameLength(name: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new RangeError(`${name}: ${a.length} values against ${b.length}`);
}
