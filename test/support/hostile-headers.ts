// The hostile trace-header matrix every server plugin's two-service test runs (express, koa, …):
// raw requests no client library would send, and what must hold afterwards — a new trace or a
// trimmed value, never an exception, never an unsanitised byte in a log line or an outgoing header.

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
  [
    'huge baggage',
    [
      'X-B3-TraceId: ' + JAVA_TRACE_ID,
      'X-B3-SpanId: 0.1',
      ...Array.from({ length: 60 }, (_, i) => `baggage-k${i}: ${'v'.repeat(100)}`),
    ],
  ],
];

/** Sends `GET path` as raw bytes (duplicates and odd values no client library would send). */
export function rawGet(port: number, path: string, headerLines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headerLines, '', ''].join('\r\n'),
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

/** The digest lines of one trace: at least one, each a single valid JSON line of bounded size. */
export function expectSanitisedDigest(rawLines: string[], traceId: string): void {
  const mine = rawLines.filter((l) => l.includes(traceId));
  expect(mine.length).toBeGreaterThanOrEqual(1);
  for (const l of mine) {
    expect(() => JSON.parse(l)).not.toThrow();
    expect(l).not.toMatch(/[\r\n]/);
    expect(l.length).toBeLessThan(8192);
  }
}
