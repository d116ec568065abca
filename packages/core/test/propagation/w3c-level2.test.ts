import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTracer, type SofaTracer } from '../../src';
import { formatTraceparent, parseTraceparent } from '../../src/propagation';

/**
 * W3C Trace Context Level 2, through a real tracer: what arrives in `traceparent`/`tracestate`
 * and what the next hop receives from a span continuing the trace.
 */
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
let dir: string;
let tracer: SofaTracer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sofa-w3c2-'));
  tracer = createTracer({ appName: 'w3c2', logDir: dir, statLogInterval: 3600 });
});
afterAll(async () => {
  await tracer.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Headers the next hop gets from a server span continuing `incoming`, then a client span. */
function forward(incoming: Record<string, string>): Record<string, string> {
  const remote = tracer.extract('http_headers', incoming);
  const server = tracer.startSpan('in', { kind: 'server', childOf: remote });
  const client = tracer.startSpan('out', { kind: 'client', childOf: server });
  const out: Record<string, string> = {};
  tracer.inject(client.context(), 'http_headers', out);
  client.finish();
  server.finish();
  return out;
}

describe('random-trace-id flag (trace-flags 0x02)', () => {
  it.each([
    ['03 (sampled, random)', '03', '03'],
    ['02 (random, not sampled)', '02', '02'],
    ['01 (sampled, not random)', '01', '01'],
    ['ff: reserved bits are not forwarded', 'ff', '03'],
  ])('a continued trace forwards it unchanged: %s', (_name, inFlags, outFlags) => {
    const trace = TRACE.slice(0, 30) + inFlags; // one trace per case
    const out = forward({ traceparent: `00-${trace}-${PARENT}-${inFlags}` });
    const tp = parseTraceparent(out.traceparent)!;
    expect(tp.traceId).toBe(trace);
    expect(out.traceparent!.slice(-3)).toBe('-' + outFlags);
  });

  it('is not set on traces this tracer starts (SOFA ids are IP + time + counter, not random)', () => {
    const root = tracer.startSpan('root', { childOf: null });
    const out: Record<string, string> = {};
    tracer.inject(root.context(), 'http_headers', out);
    root.finish();
    expect(out.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(parseTraceparent(out.traceparent)!.random).toBe(false);
  });

  it('arriving beside sofa-b3 (which wins extraction) it is still forwarded for the same trace', () => {
    const trace = 'a'.repeat(30) + '42';
    const out = forward({
      'X-B3-TraceId': trace,
      'X-B3-SpanId': '0.1',
      traceparent: `00-${trace}-${PARENT}-03`,
    });
    expect(out['X-B3-TraceId']).toBe(trace);
    expect(out.traceparent).toMatch(new RegExp(`^00-${trace}-[0-9a-f]{16}-03$`));
  });

  it('is carried on the span context: more than 8192 other random-flagged traces in flight change nothing', () => {
    const remote = tracer.extract('http_headers', { traceparent: `00-${TRACE}-${PARENT}-03` });
    const server = tracer.startSpan('in', { kind: 'server', childOf: remote });
    // 10 000 other traces, each continued while the first is still open (a process-wide memory
    // of 8192 random trace ids used to forget the first one here)
    for (let i = 0; i < 10_000; i++) {
      const id = (i + 1).toString(16).padStart(32, 'b');
      const other = forward({ traceparent: `00-${id}-${PARENT}-03` });
      if (i === 0) expect(other.traceparent!.slice(-3)).toBe('-03');
    }
    const client = tracer.startSpan('out', { kind: 'client', childOf: server });
    const out: Record<string, string> = {};
    tracer.inject(client.context(), 'http_headers', out);
    client.finish();
    server.finish();
    expect(out.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-03$`));
  });

  it('the same trace id arriving with 03, then with 01: each request forwards its own flag', () => {
    const trace = 'c'.repeat(30) + '01';
    const first = tracer.extract('http_headers', { traceparent: `00-${trace}-${PARENT}-03` });
    const second = tracer.extract('http_headers', { traceparent: `00-${trace}-${PARENT}-01` });
    const headersOf = (remote: ReturnType<typeof tracer.extract>): string => {
      const server = tracer.startSpan('in', { kind: 'server', childOf: remote });
      const client = tracer.startSpan('out', { kind: 'client', childOf: server });
      const out: Record<string, string> = {};
      tracer.inject(client.context(), 'http_headers', out);
      client.finish();
      server.finish();
      return out.traceparent!;
    };
    // interleaved: the first request goes on after the second arrived, and the reverse order
    expect(headersOf(second).slice(-3)).toBe('-01');
    expect(headersOf(first).slice(-3)).toBe('-03');
    expect(forward({ traceparent: `00-${trace}-${PARENT}-01` }).traceparent!.slice(-3)).toBe('-01');
    expect(forward({ traceparent: `00-${trace}-${PARENT}-02` }).traceparent!.slice(-3)).toBe('-02');
    expect(forward({ traceparent: `00-${trace}-${PARENT}-00` }).traceparent!.slice(-3)).toBe('-00');
  });

  it.each([
    ['03', '03'],
    ['02', '02'],
    ['01', '01'],
    ['ff', '03'],
    ['07', '03'],
    ['fc', '00'],
  ])(
    'a higher version (cc) with flags %s: only the flags Level 2 defines go on (%s), as version 00',
    (inFlags, outFlags) => {
      const trace = 'd'.repeat(30) + inFlags;
      for (const tail of ['', '-what-the-future-holds']) {
        const out = forward({ traceparent: `cc-${trace}-${PARENT}-${inFlags}${tail}` });
        expect(out.traceparent).toMatch(new RegExp(`^00-${trace}-[0-9a-f]{16}-${outFlags}$`));
      }
    },
  );

  it('a trace restarted after an invalid traceparent has no random flag', () => {
    for (const bad of [
      `00-${TRACE}-${PARENT}-0g`, // bad flags
      `00-${'0'.repeat(32)}-${PARENT}-03`, // all-zero trace id
      `ff-${TRACE}-${PARENT}-03`, // version ff
      `cc-${TRACE}-${PARENT}-03x`, // higher version not followed by '-'
      `00-${TRACE}-${PARENT}-03, 00-${TRACE}-${PARENT}-03`, // two headers
    ]) {
      const out = forward({ traceparent: bad });
      expect(out.traceparent!.slice(3, 35)).not.toBe(TRACE);
      expect(out.traceparent).toMatch(/-01$/);
    }
  });

  it('formatTraceparent writes the four defined flag combinations only', () => {
    expect(formatTraceparent(TRACE, PARENT, false)).toBe(`00-${TRACE}-${PARENT}-00`);
    expect(formatTraceparent(TRACE, PARENT, true)).toBe(`00-${TRACE}-${PARENT}-01`);
    expect(formatTraceparent(TRACE, PARENT, false, true)).toBe(`00-${TRACE}-${PARENT}-02`);
    expect(formatTraceparent(TRACE, PARENT, true, true)).toBe(`00-${TRACE}-${PARENT}-03`);
  });
});

describe('tracestate mutation (Level 2 processing model)', () => {
  it('our entry goes first; Level 2 keys and first-of-duplicates are kept in order; old sofa entries go', () => {
    const out = forward({
      traceparent: `00-${TRACE}-${PARENT}-01`,
      tracestate: 'congo=t61rcWkgMzE,1vendor@x@y=1,sofa=0.9,rojo=00f067aa0ba902b7,congo=stale',
    });
    const [first, ...rest] = out.tracestate!.split(',');
    expect(first).toMatch(/^sofa=[0-9a-f]{16}\.1\.1$/);
    expect(rest).toEqual(['congo=t61rcWkgMzE', '1vendor@x@y=1', 'rojo=00f067aa0ba902b7']);
  });

  it('an invalid tracestate is dropped, the traceparent still continues the trace', () => {
    const out = forward({ traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'congo=1,@bad=2' });
    expect(out.traceparent!.slice(3, 35)).toBe(TRACE);
    expect(out.tracestate).toMatch(/^sofa=[^,]+$/);
  });

  it('an invalid traceparent restarts the trace and ignores the tracestate', () => {
    const out = forward({ traceparent: `00-${TRACE}-${PARENT}-0g`, tracestate: 'congo=1' });
    expect(out.traceparent!.slice(3, 35)).not.toBe(TRACE);
    expect(out.tracestate).toMatch(/^sofa=[^,]+$/);
  });
});
