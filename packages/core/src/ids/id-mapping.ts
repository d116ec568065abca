import { fnv1a64Hex } from './fnv';

/**
 * Mapping between SOFA ids and the fixed-width hex ids of W3C Trace Context, B3 and Zipkin.
 *
 * Trace ids: a lowercase-hex SOFA id (≤ 32 chars, a trailing `T` stripped first as Java's Zipkin
 * adapter does) is left-padded with `0` to 32 chars. Any other id (longer than 32, uppercase-only
 * hex is lowercased first, or non-hex upstream ids) is hashed: the first 16 hex chars are
 * FNV-1a-64 of the id, the last 16 are FNV-1a-64 of the id's code units in reverse order. The
 * result is never all-zero (the last char becomes `1`).
 *
 * Span ids: FNV-1a-64 of the dotted id (what Java's Zipkin adapter does), except a bare 16-hex id
 * — a foreign parent continued from W3C/B3 — which maps to itself so the link to the foreign span
 * stays exact. Never all-zero (`0000000000000001` instead).
 */

const ZERO32 = '00000000000000000000000000000000';
const ZERO16 = '0000000000000000';

function isHexLower(s: string, maxLen: number): boolean {
  const n = s.length;
  if (n === 0 || n > maxLen) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

function reversed(s: string): string {
  let r = '';
  for (let i = s.length - 1; i >= 0; i--) r += s[i];
  return r;
}

// One-entry memo: every client span of a request maps the same trace id.
let lastTraceId = '';
let lastW3cTraceId = '';

/** A 32-lowercase-hex trace id (W3C `trace-id`, Zipkin 128-bit `traceId`) for any trace id. */
export function toW3cTraceId(traceId: string): string {
  if (traceId === lastTraceId && traceId !== '') return lastW3cTraceId;
  const out = mapTraceId(traceId);
  lastTraceId = traceId;
  lastW3cTraceId = out;
  return out;
}

function mapTraceId(traceId: string): string {
  let id = traceId;
  if (id.length > 1 && id.charCodeAt(id.length - 1) === 84 /* T */) id = id.slice(0, -1);
  if (!isHexLower(id, 32)) {
    const lower = id.toLowerCase();
    id = isHexLower(lower, 32) ? lower : '';
  }
  let out: string;
  if (id !== '') {
    out = id.length === 32 ? id : ZERO32.slice(id.length) + id;
  } else {
    out = fnv1a64Hex(traceId) + fnv1a64Hex(reversed(traceId));
  }
  return out === ZERO32 ? ZERO32.slice(1) + '1' : out;
}

/** A 16-lowercase-hex span id (W3C `parent-id`, B3/Zipkin `id`) for a dotted span id. */
export function toW3cSpanId(spanId: string): string {
  if (spanId.length === 16 && isHexLower(spanId, 16)) {
    return spanId === ZERO16 ? ZERO16.slice(1) + '1' : spanId;
  }
  const h = fnv1a64Hex(spanId);
  return h === ZERO16 ? ZERO16.slice(1) + '1' : h;
}
