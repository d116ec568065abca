import type { KafkaHeaders, KafkaHeaderValue } from './kafkajs-types';

/**
 * Record headers: which names belong to the tracer (so a re-sent message never carries two sets),
 * and the text map the codecs read from consumed headers.
 */

/** True for a header name any propagation format of the tracer writes (any case). */
export function isTraceHeader(name: string): boolean {
  const c = name.charCodeAt(0) | 0x20;
  // cheap pre-check: every trace header starts with x, b, t or s
  if (c !== 120 && c !== 98 && c !== 116 && c !== 115) return false;
  const lower = name.toLowerCase();
  return (
    lower.startsWith('x-b3-') ||
    lower === 'baggage' ||
    lower.startsWith('baggage-') ||
    lower === 'traceparent' ||
    lower === 'tracestate' ||
    lower === 'sftc_head' ||
    lower === 'b3'
  );
}

/**
 * A copy of a message's headers without the tracer's own headers (left over from a previous send
 * or from the consumed record being forwarded), ready for fresh injection. The caller's object is
 * never changed.
 */
export function headersForSend(headers: KafkaHeaders | undefined): Record<string, KafkaHeaderValue> {
  const out: Record<string, KafkaHeaderValue> = {};
  if (headers === null || typeof headers !== 'object') return out;
  for (const name of Object.keys(headers)) {
    if (isTraceHeader(name)) continue;
    if (name === '__proto__') {
      Object.defineProperty(out, name, {
        value: headers[name],
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else {
      out[name] = headers[name];
    }
  }
  return out;
}

function lastString(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.length === 0 ? undefined : lastString(v[v.length - 1]);
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8'); // what kafkajs hands over: no view to make
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  return undefined;
}

/**
 * The trace headers of a consumed record as a text map for the codecs, with Java's Kafka
 * extraction rules: names compared case-insensitively, the last value wins (a repeated key —
 * an array in kafkajs — or the same name in two cases), Buffers decoded as UTF-8. Other headers
 * are not copied. Returns `undefined` when there are none.
 */
export function traceTextMap(headers: KafkaHeaders | undefined): Record<string, string> | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  let byLower: Map<string, [string, string]> | undefined;
  for (const name of Object.keys(headers)) {
    if (!isTraceHeader(name)) continue;
    const value = lastString(headers[name]);
    if (value === undefined) continue;
    (byLower ??= new Map()).set(name.toLowerCase(), [name, value]);
  }
  if (byLower === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of byLower.values()) out[name] = value;
  return out;
}
