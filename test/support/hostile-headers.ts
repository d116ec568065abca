// The hostile trace-header matrix every server plugin's two-service test runs (express, koa, …):
// raw requests no client library would send, and what must hold afterwards — a new trace or a
// trimmed value, never an exception, never an unsanitised byte in a log line or an outgoing header.

import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

/** A trace id as a Java SOFATracer service generates it. */
export const JAVA_TRACE_ID = '0a0fe9271567477985327100211176';

/** `[name, header lines]`: each case poisons the trace headers in a different way. */
export const HOSTILE_HEADER_CASES: [string, string[]][] = [
  ['oversized trace id', ['X-B3-TraceId: ' + 'a'.repeat(12000), 'X-B3-SpanId: 0.1']],
  ['non-hex trace id and bad span id', ['X-B3-TraceId: not-a-trace-id!', 'X-B3-SpanId: 0..x']],
  [
    'duplicate trace headers',
    [
      `X-B3-TraceId: ${JAVA_TRACE_ID}`,
      'X-B3-TraceId: 0a0fe9271567477985327100218888',
      'X-B3-SpanId: 0.1',
      'X-B3-SpanId: 0.2',
    ],
  ],
  [
    'encoded CR/LF in baggage',
    [
      `X-B3-TraceId: ${JAVA_TRACE_ID}`,
      'X-B3-SpanId: 0.1',
      'baggage-evil: a%0D%0AX-Injected:%201',
      'baggage: k=v%0D%0AX-Injected: 2',
    ],
  ],
  [
    'invalid traceparent versions and zero ids',
    [
      'traceparent: ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      'tracestate: ' + 'x=y,'.repeat(100),
    ],
  ],
  ['all-zero traceparent', ['traceparent: 00-00000000000000000000000000000000-00f067aa0ba902b7-01']],
  ['garbage sftc_head', ['sftc_head: tcid=%%%&spid=\u00ff\u00fe&sample=maybe&_sys_%0a=1&']],
  // Raw bytes, written to the socket as UTF-8: node's parser hands them to the app as latin-1
  // characters, so U+0085 arrives as "\u00c2\u0085" and U+2028 as "\u00e2\u0080\u00a8" — C1
  // controls a JSON encoder does not escape by itself.
  [
    'U+0085 / U+2028 / U+2029 and C1 controls in ids, baggage and sftc_head',
    [
      `X-B3-TraceId: ${JAVA_TRACE_ID}\u0085`,
      'X-B3-SpanId: 0.1\u2028',
      'baggage: k=v\u0085w,k2=\u2028',
      'baggage-k1: v\u009bx\u0080',
      'sftc_head: tcid=0a0fe9271567477985327100219999\u0085&spid=0.1&_sys_k=\u2029',
    ],
  ],
  // the Host header ends up in the digest's request.url
  ['U+2028, U+0085, U+2029 and C1 controls in the Host header', ['Host: 127.0.0.1\u2028\u0085x\u2029\u009b']],
  [
    'C1 controls in baggage of a valid trace',
    [
      `X-B3-TraceId: ${JAVA_TRACE_ID}`,
      'X-B3-SpanId: 0.1',
      'baggage: k=v\u0085w,k2=x\u2028y\u2029z',
      'baggage-c1: a\u009b31mb\u0085c',
    ],
  ],
  [
    'huge baggage',
    [
      'X-B3-TraceId: ' + JAVA_TRACE_ID,
      'X-B3-SpanId: 0.1',
      ...Array.from({ length: 60 }, (_, i) => `baggage-k${i}: ${'v'.repeat(100)}`),
    ],
  ],
];

/**
 * Sends `GET path` as raw bytes (duplicates and odd values no client library would send), as UTF-8.
 * `Host: 127.0.0.1` unless `headerLines` has a Host line of its own.
 */
export function rawGet(port: number, path: string, headerLines: string[]): Promise<string> {
  const host = headerLines.some((l) => /^host:/i.test(l)) ? [] : ['Host: 127.0.0.1'];
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        [`GET ${path} HTTP/1.1`, ...host, 'Connection: close', ...headerLines, '', ''].join('\r\n'),
      );
    });
    let data = '';
    socket.on('data', (c) => (data += c));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

/** The headers a downstream service received: no injected header, no control byte, valid ids. */
export function expectSanitisedOutgoing(seen: IncomingHttpHeaders[]): void {
  for (const h of seen) {
    expect(h['x-injected']).toBeUndefined();
    for (const [k, v] of Object.entries(h)) {
      // eslint-disable-next-line no-control-regex -- looking for exactly these characters
      expect(`${k}: ${String(v)}`).not.toMatch(/[\r\n\u0000]/);
    }
    expect(h['x-b3-traceid']).toMatch(/^[0-9a-f]{16,32}$/);
    expect(h['x-b3-spanid']).toMatch(/^\d+(\.\d+)*$/);
    expect(String(h['baggage-evil'] ?? '')).not.toMatch(/[\r\n]/);
  }
}

/**
 * The lines of a log file exactly as the bytes on disk, split at the LF byte only, with no decoding
 * first: the one CR of a line's CRLF terminator (the tracer's default separator, as Java's) is
 * taken off, any other raw CR, LF or break inside a line stays there to be seen.
 */
export function rawLinesOf(path: string): Buffer[] {
  if (!existsSync(path)) return [];
  const bytes = readFileSync(path);
  const out: Buffer[] = [];
  let at = 0;
  for (let nl = bytes.indexOf(0x0a); nl >= 0; nl = bytes.indexOf(0x0a, at)) {
    const end = nl > at && bytes[nl - 1] === 0x0d ? nl - 1 : nl;
    out.push(bytes.subarray(at, end));
    at = nl + 1;
  }
  if (at < bytes.length) out.push(bytes.subarray(at)); // an unterminated last line
  return out;
}

/** C0 controls (CR, NUL, TAB, …), DEL, C1 controls (U+0085 NEL, U+009B CSI, …), U+2028/U+2029. */
// eslint-disable-next-line no-control-regex -- looking for exactly these characters
export const LINE_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/**
 * Every raw line of a log file that mentions `traceId`: at least one, each valid UTF-8 and one
 * JSON object by itself, with no raw control character or line separator of any kind in it (a
 * value escaped as `\u0085` is fine; the byte sequence C2 85 is not). Returns them parsed.
 */
export function expectCleanRawLines(path: string, traceId: string): Record<string, unknown>[] {
  const mine = rawLinesOf(path).filter((b) => b.includes(traceId));
  expect(mine.length).toBeGreaterThanOrEqual(1);
  return mine.map((bytes) => {
    const text = bytes.toString('utf8');
    expect(Buffer.from(text, 'utf8').equals(bytes)).toBe(true); // valid UTF-8
    expect(text).not.toMatch(LINE_UNSAFE);
    const parsed: unknown = JSON.parse(text);
    expect(parsed).toEqual(expect.any(Object));
    expect(Array.isArray(parsed)).toBe(false);
    return parsed as Record<string, unknown>;
  });
}

/**
 * The digest lines of one trace in the file at `path` (flush the tracer first), checked on the raw
 * bytes as {@link expectCleanRawLines} does, each of bounded size.
 */
export function expectSanitisedDigest(path: string, traceId: string): void {
  expectCleanRawLines(path, traceId);
  for (const bytes of rawLinesOf(path).filter((b) => b.includes(traceId))) {
    expect(bytes.length).toBeLessThan(8192);
  }
}
