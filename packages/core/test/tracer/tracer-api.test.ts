import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { createTracer, SpanContext, type SofaTracer } from '../../src';
import { MemorySelfLog, readLines, tempDir } from '../helpers/fixtures';

// The Java reference's common digest fields, in order, around the biz log type's plugin fields.
const JAVA_COMMON = [
  'time',
  'local.app',
  'traceId',
  'spanId',
  'span.kind',
  'result.code',
  'current.thread.name',
  'time.cost.milliseconds',
];

describe('tracer API, end to end on disk', () => {
  let dir: string;
  let tracer: SofaTracer;
  beforeEach(() => {
    dir = tempDir();
    tracer = createTracer({ appName: 'orders', logDir: dir, statLogInterval: 3600 });
  });
  afterEach(() => tracer.close());

  it('writes digest lines with the Java keys, in order, that parse as JSON', async () => {
    const span = tracer.startSpan('op', { tags: { method: 'createOrder' } });
    span.setResultCode('00');
    span.finish();
    await tracer.close();
    const lines = readLines(join(dir, 'tracelog', 'biz-digest.log'));
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!);
    expect(Object.keys(parsed)).toEqual([...JAVA_COMMON, 'method', 'error', 'sys.baggage', 'biz.baggage']);
    expect(parsed['local.app']).toBe('orders');
    expect(parsed.spanId).toBe('0');
    expect(parsed.traceId).toMatch(/^[0-9a-f]{8}\d{13}\d{4}\d+$/);
    expect(parsed['time.cost.milliseconds']).toMatch(/^\d+ms$/);
    expect(parsed['result.code']).toBe('00');
    expect(parsed.time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
  });

  it('ends lines with CRLF as Java does (lf by option)', async () => {
    tracer.startSpan('op').finish();
    await tracer.close();
    const raw = require('node:fs').readFileSync(join(dir, 'tracelog', 'biz-digest.log'), 'utf8');
    expect(raw.endsWith('}\r\n')).toBe(true);
  });

  it('numbers children per parent: 0 → 0.1, 0.2 → 0.1.1', () => {
    const root = tracer.startSpan('root', { childOf: null });
    const a = tracer.startSpan('a', { childOf: root });
    const b = tracer.startSpan('b', { childOf: root });
    const a1 = tracer.startSpan('a1', { childOf: a });
    expect([root, a, b, a1].map((s) => s.context().spanId)).toEqual(['0', '0.1', '0.2', '0.1.1']);
    expect([root, a, b, a1].map((s) => s.context().parentId)).toEqual(['', '0', '0', '0.1']);
    expect(new Set([root, a, b, a1].map((s) => s.context().traceId)).size).toBe(1);
  });

  it('makes a server span continuing a remote context its child (client 0.1 → server 0.1.1)', () => {
    const remote = new SpanContext('0a0fe9271567477985327100211176', '0.1', '0', true);
    remote.remote = true;
    const server = tracer.startSpan('GET /', { kind: 'server', childOf: remote });
    expect(server.context().spanId).toBe('0.1.1');
    expect(server.context().parentId).toBe('0.1');
    expect(server.context().traceId).toBe('0a0fe9271567477985327100211176');
  });

  it('replaces a parent past depth 100 by a fresh root that keeps only biz baggage', () => {
    const self = new MemorySelfLog();
    const t = createTracer({ appName: 'deep', logDir: dir }, { selfLog: self });
    const deepId = Array.from({ length: 100 }, (_, i) => (i === 0 ? '0' : '1')).join('.');
    const parent = new SpanContext('abc', deepId, '', true, new Map([['s', '1']]), new Map([['b', '2']]));
    const span = t.startSpan('x', { childOf: parent });
    expect(span.context().spanId).toBe('0');
    expect(span.context().traceId).not.toBe('abc');
    expect([...span.context().bizBaggage]).toEqual([['b', '2']]);
    expect(span.context().sysBaggage.size).toBe(0);
    expect(self.lines.some((l) => l.startsWith('[ERROR] span depth limit 100'))).toBe(true);
    const ok = t.startSpan('y', { childOf: new SpanContext('abc', deepId.slice(0, -2), '', true) });
    expect(ok.context().spanId.split('.')).toHaveLength(100);
    return t.close();
  });

  it('keeps the active span across await, timers, promises and emitters', async () => {
    const span = tracer.startSpan('outer');
    const seen: (string | undefined)[] = [];
    const emitter = new EventEmitter();
    await tracer.withSpan(span, async () => {
      seen.push(tracer.activeSpan()?.context().spanId);
      await new Promise((r) => setTimeout(r, 5));
      seen.push(tracer.activeSpan()?.context().spanId);
      await new Promise<void>((r) =>
        setImmediate(() => (seen.push(tracer.activeSpan()?.context().spanId), r())),
      );
      await Promise.resolve().then(() => seen.push(tracer.activeSpan()?.context().spanId));
      emitter.on('e', () => seen.push(tracer.activeSpan()?.context().spanId));
    });
    expect(tracer.activeSpan()).toBeUndefined();
    emitter.emit('e'); // emitted outside: listeners run in the emitter's caller context…
    expect(seen).toEqual(['0', '0', '0', '0', undefined]);
    // …unless the emitter is bound
    const bound = tracer.bindEmitter(new EventEmitter(), span);
    const got: (string | undefined)[] = [];
    const l = () => got.push(tracer.activeSpan()?.context().spanId);
    bound.on('e', l);
    bound.emit('e');
    bound.off('e', l);
    bound.emit('e');
    expect(got).toEqual(['0']);
    const fn = tracer.bind(() => tracer.activeSpan(), span);
    expect(fn()).toBe(span);
  });

  it('defaults children to the active span', () => {
    const parent = tracer.startSpan('p', { childOf: null });
    const child = tracer.withSpan(parent, () => tracer.startSpan('c'));
    expect(child.context().spanId).toBe('0.1');
  });

  it('copies baggage to children without sharing maps, and enforces the biz baggage limit', async () => {
    const self = new MemorySelfLog();
    const t = createTracer({ appName: 'bag', logDir: dir, baggageMaxLength: 20 }, { selfLog: self });
    const p = t.startSpan('p');
    p.setBaggageItem('a', '12345'); // "a=12345&" = 8
    p.setBaggageItem('b', '1234567'); // "b=1234567&" = 10 → 18
    p.setBaggageItem('c', 'xx'); // 18 + 5 > 20 → dropped
    p.setBaggageItem('bad\r\n', 'v');
    expect([...p.context().bizBaggage.keys()]).toEqual(['a', 'b']);
    expect(self.lines.filter((l) => l.startsWith('[WARN]'))).toHaveLength(2);
    const c = t.startSpan('c', { childOf: p });
    c.setBaggageItem('a', '1');
    expect(p.getBaggageItem('a')).toBe('12345');
    expect(c.getBaggageItem('a')).toBe('1');
    await t.close();
  });

  it('close() flushes every span finished before it, is idempotent, and later spans are ignored', async () => {
    for (let i = 0; i < 2000; i++) tracer.startSpan('op' + i, { childOf: null }).finish();
    const p1 = tracer.close();
    const p2 = tracer.close();
    expect(p1).toBe(p2);
    await p1;
    tracer.startSpan('late').finish();
    expect(readLines(join(dir, 'tracelog', 'biz-digest.log'))).toHaveLength(2000);
    const stat = readLines(join(dir, 'tracelog', 'biz-stat.log'));
    expect(stat.reduce((n, l) => n + JSON.parse(l).count, 0)).toBe(2000);
  });

  it('extract/inject round-trip between two tracers through headers', () => {
    const span = tracer.startSpan('client', { kind: 'client' });
    span.setBaggageItem('user', 'u1');
    const headers: Record<string, string> = {};
    tracer.inject(span.context(), 'http_headers', headers);
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const ctx = tracer.extract('http_headers', lower);
    expect(ctx?.traceId).toBe(span.context().traceId);
    expect(ctx?.spanId).toBe(span.context().spanId);
    expect(ctx?.bizBaggage.get('user')).toBe('u1');
    expect(tracer.extract('http_headers', {})).toBeNull();
    expect(tracer.extract('http_headers', null)).toBeNull();
  });
});
