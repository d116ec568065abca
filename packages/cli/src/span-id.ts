/** Parent of a dotted span id: everything before the last dot, `""` for a root. */
export function parentSpanId(spanId: string): string {
  const i = spanId.lastIndexOf('.');
  return i < 0 ? '' : spanId.slice(0, i);
}

const NUMERIC = /^\d+$/;

/**
 * Orders dotted span ids as a tree walk: segment by segment, numeric segments by value (so `0.2`
 * precedes `0.10`), other segments (a foreign hex root such as `a3f2…`) as strings, and a parent
 * before its children.
 */
export function compareSpanIds(a: string, b: string): number {
  if (a === b) return 0;
  const as = a.split('.');
  const bs = b.split('.');
  const n = Math.min(as.length, bs.length);
  for (let i = 0; i < n; i++) {
    const x = as[i] as string;
    const y = bs[i] as string;
    if (x === y) continue;
    if (NUMERIC.test(x) && NUMERIC.test(y) && x.length < 16 && y.length < 16) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return as.length - bs.length;
}
