/**
 * Validators for ids that arrive from other processes. Every id that reaches a SpanContext passes
 * one of these, which is what keeps CR/LF and other control characters out of log lines.
 */

/** Longest trace id accepted from upstream (SOFA ids are about 30 chars; UUIDs 32–36). */
export const MAX_TRACE_ID_LENGTH = 64;
/** Deepest span id accepted: SOFATracer's own depth limit is 100 segments. */
export const MAX_SPAN_ID_DEPTH = 100;
/** Longest span id accepted, in chars (100 segments of multi-digit child numbers fit). */
export const MAX_SPAN_ID_LENGTH = 512;
/** Longest root segment of a span id: a foreign 128-bit hex id. */
export const MAX_ROOT_SEGMENT_LENGTH = 32;
/** Longest `.n` segment: ten decimal digits. */
const MAX_CHILD_SEGMENT_LENGTH = 10;

/**
 * True for a trace id we accept from a carrier: 1–64 chars of `[0-9A-Za-z_-]`. That covers SOFA ids
 * (lowercase hex + decimal), B3/W3C hex ids and ids generated upstream (front ends, gateways, UUIDs
 * without dots) while rejecting spaces, CR/LF, `%`, `,` and everything else.
 */
export function isValidTraceId(id: unknown): id is string {
  if (typeof id !== 'string') return false;
  const n = id.length;
  if (n === 0 || n > MAX_TRACE_ID_LENGTH) return false;
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    if (!(
      (c >= 48 && c <= 57) || // 0-9
      (c >= 97 && c <= 122) || // a-z
      (c >= 65 && c <= 90) || // A-Z
      c === 95 || // _
      c === 45 // -
    )) {
      return false;
    }
  }
  return true;
}

/**
 * True for a dotted span id: a root segment of 1–32 lowercase hex chars (SOFA roots are `0`; a
 * foreign parent's hex id becomes a root segment when we continue a W3C/B3 trace), then `.n`
 * segments of 1–10 decimal digits; at most 100 segments and 512 chars.
 */
export function isValidSpanId(id: unknown): id is string {
  if (typeof id !== 'string') return false;
  const n = id.length;
  if (n === 0 || n > MAX_SPAN_ID_LENGTH) return false;
  let i = 0;
  while (i < n) {
    const c = id.charCodeAt(i);
    if (c === 46) break;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
    i++;
  }
  if (i === 0 || i > MAX_ROOT_SEGMENT_LENGTH) return false;
  let segments = 1;
  while (i < n) {
    // id[i] is '.'
    i++;
    const start = i;
    while (i < n) {
      const c = id.charCodeAt(i);
      if (c === 46) break;
      if (c < 48 || c > 57) return false;
      i++;
    }
    const len = i - start;
    if (len === 0 || len > MAX_CHILD_SEGMENT_LENGTH) return false;
    if (++segments > MAX_SPAN_ID_DEPTH) return false;
  }
  return true;
}

/** Number of dot-separated segments of a span id (`"0"` → 1, `"0.1.2"` → 3, `""` → 0). */
export function spanIdDepth(id: string): number {
  if (id.length === 0) return 0;
  let d = 1;
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) === 46) d++;
  return d;
}

/** True when `s` is non-empty lowercase hex of exactly `len` chars, not all zeros. */
export function isLowerHexId(s: string, len: number): boolean {
  if (s.length !== len) return false;
  let nonZero = false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 48) continue;
    if (!((c >= 49 && c <= 57) || (c >= 97 && c <= 102))) return false;
    nonZero = true;
  }
  return nonZero;
}
