/**
 * Byte counting without buffering or consuming bodies: instance-level wrappers of `write`/`end`
 * (outgoing bodies, counted as handed to Node — after any compression middleware installed later)
 * and of `push` (incoming bodies, counted as the HTTP parser delivers them, whether or not the
 * application reads them). The wrappers are shared functions that find their counter through a
 * symbol on the stream, so no closure is allocated per request.
 */

/** Symbol under which a stream keeps its {@link ByteCounter}. */
export const kByteCounter: unique symbol = Symbol('sofa-tracer.byteCounter');

/** Counter state attached to one stream. */
export interface ByteCounter {
  bytes: number;
  write: ((...args: unknown[]) => unknown) | undefined;
  end: ((...args: unknown[]) => unknown) | undefined;
  push: ((...args: unknown[]) => unknown) | undefined;
}

type Counted = { [kByteCounter]?: ByteCounter } & Record<string, unknown>;

/** Byte length of a chunk as Node will send it (`string` in `encoding`, or a buffer view). */
export function chunkLength(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') {
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  if (chunk !== null && typeof chunk === 'object') {
    const n = (chunk as { byteLength?: unknown }).byteLength;
    if (typeof n === 'number') return n;
  }
  return 0;
}

function countingWrite(this: Counted, chunk: unknown, encoding: unknown): unknown {
  const c = this[kByteCounter];
  if (c !== undefined) {
    c.bytes += chunkLength(chunk, encoding);
    // eslint-disable-next-line prefer-rest-params -- forwards the exact call without allocating an array
    return Reflect.apply(c.write!, this, arguments);
  }
  return undefined;
}

function countingEnd(this: Counted, chunk: unknown, encoding: unknown): unknown {
  const c = this[kByteCounter];
  if (c !== undefined) {
    if (typeof chunk !== 'function') c.bytes += chunkLength(chunk, encoding);
    // eslint-disable-next-line prefer-rest-params -- forwards the exact call without allocating an array
    return Reflect.apply(c.end!, this, arguments);
  }
  return undefined;
}

function countingPush(this: Counted, chunk: unknown): unknown {
  const c = this[kByteCounter];
  if (c !== undefined) {
    if (chunk !== null && chunk !== undefined) c.bytes += chunkLength(chunk, undefined);
    // eslint-disable-next-line prefer-rest-params -- forwards the exact call without allocating an array
    return Reflect.apply(c.push!, this, arguments);
  }
  return undefined;
}

/** Counts bytes written through `stream.write`/`stream.end` (an outgoing body). */
export function countWrites(stream: object, counter: ByteCounter): void {
  const s = stream as Counted;
  counter.write = s.write as ByteCounter['write'];
  counter.end = s.end as ByteCounter['end'];
  s[kByteCounter] = counter;
  s.write = countingWrite;
  s.end = countingEnd;
}

/** Counts bytes the parser pushes into a readable (an incoming body). */
export function countPushes(stream: object, counter: ByteCounter): void {
  const s = stream as Counted;
  counter.push = s.push as ByteCounter['push'];
  s[kByteCounter] = counter;
  s.push = countingPush;
}

/**
 * Parses a `content-length` value: digits only, at most 15 of them; -1 when absent or invalid.
 */
export function parseContentLength(value: unknown): number {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : -1;
  if (typeof v !== 'string' || v.length === 0 || v.length > 15) return -1;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  return Number(v);
}
