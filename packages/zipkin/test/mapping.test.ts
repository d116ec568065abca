import { toZipkinSpan, zipkinKind } from '@sofa-tracer/zipkin';
import { makeTracer } from '../../../test/support/plugin-fixtures';
import { finishedSpan, kafkaSpans } from './support/spans';
import { validateSpan } from './support/zipkin-receiver';

const IP = '10.1.2.3';

function valid(span: ReturnType<typeof toZipkinSpan>): string[] {
  const problems: string[] = [];
  validateSpan(JSON.parse(JSON.stringify(span)), 'span', problems);
  return problems;
}

describe('SOFA span → Zipkin v2 span', () => {
  it("maps dotted span ids with Java's FNV-1a 64 (the reference vectors)", () => {
    const ids = ['0', '0.1', '0.1.1', '0.2'].map((spanId) => toZipkinSpan(finishedSpan({ spanId }), IP));
    expect(ids.map((s) => [s.id, s.parentId])).toEqual([
      ['af63ad4c86019caf', undefined],
      ['4e18dd181d0a2066', 'af63ad4c86019caf'],
      ['b1ecc5b0e1cf206b', '4e18dd181d0a2066'],
      ['4e18dc181d0a1eb3', 'af63ad4c86019caf'],
    ]);
    expect(ids.map((s) => [s.tags['origin.span.id'], s.tags['origin.parent.span.id']])).toEqual([
      ['0', ''],
      ['0.1', '0'],
      ['0.1.1', '0.1'],
      ['0.2', '0'],
    ]);
  });

  it('strips a trailing T and left-pads the SOFA trace id to 32 hex', () => {
    expect(toZipkinSpan(finishedSpan({ traceId: '0a0fe9271567477985327100211176T' }), IP).traceId).toBe(
      '000a0fe9271567477985327100211176',
    );
    expect(toZipkinSpan(finishedSpan({ traceId: '0a0fe9271567477985327100211176' }), IP).traceId).toBe(
      '000a0fe9271567477985327100211176',
    );
    // a 64-bit (B3) trace id stays 64-bit, as Java pads short ids to 16
    expect(toZipkinSpan(finishedSpan({ traceId: '463ac35c9f6413ad' }), IP).traceId).toBe('463ac35c9f6413ad');
  });

  it('timestamp and duration are integer µs; a 0 ms span lasts 1 µs, sub-ms precision is kept', () => {
    const s = toZipkinSpan(finishedSpan({ startTime: 1_700_000_000_123, durationMs: 12.3456 }), IP);
    expect(s.timestamp).toBe(1_700_000_000_123_000);
    expect(s.duration).toBe(12_346);
    expect(toZipkinSpan(finishedSpan({ durationMs: 0 }), IP).duration).toBe(1);
    expect(toZipkinSpan(finishedSpan({ durationMs: 0.0004 }), IP).duration).toBe(1);
  });

  it('tags are strings: span tags, result.code, origin ids and baggage (span tags win); empty error left out', () => {
    const s = toZipkinSpan(
      finishedSpan({
        tags: { 'req.size.bytes': 12, ok: true, error: '', method: 'GET' },
        sysBaggage: { zone: 'gz' },
        bizBaggage: { user: 'alice', method: 'from-baggage' },
      }),
      IP,
    );
    expect(s.tags).toEqual({
      'req.size.bytes': '12',
      ok: 'true',
      method: 'GET',
      zone: 'gz',
      user: 'alice',
      'result.code': '200',
      'origin.span.id': '0',
      'origin.parent.span.id': '',
    });
    expect(valid(s)).toEqual([]);
  });

  it('kinds: SERVER, CLIENT, PRODUCER/CONSUMER for kafka spans, none for local spans', () => {
    const { send, consume } = kafkaSpans();
    expect(toZipkinSpan(send, IP).kind).toBe('PRODUCER');
    expect(toZipkinSpan(consume, IP).kind).toBe('CONSUMER');
    expect(toZipkinSpan(send, IP).remoteEndpoint).toEqual({ serviceName: 'kafka' });
    expect(toZipkinSpan(finishedSpan({ kind: 'server' }), IP).kind).toBe('SERVER');
    expect(toZipkinSpan(finishedSpan({ kind: 'client', logType: 'httpclient' }), IP).kind).toBe('CLIENT');
    expect(toZipkinSpan(finishedSpan({ kind: 'internal', logType: 'biz' }), IP).kind).toBeUndefined();
    // an MQ plugin that left its spans at kind client (Java's way) is mapped by log type
    expect(zipkinKind({ kind: 'client', logType: 'kafkamq-send' })).toBe('PRODUCER');
    expect(zipkinKind({ kind: 'client', logType: 'rocketmq-consume' })).toBe('CONSUMER');
    for (const s of [send, consume]) expect(valid(toZipkinSpan(s, IP))).toEqual([]);
  });

  it('client spans get a remoteEndpoint from remote.host / remote.app (IPv4, IPv6, names; never port 0)', () => {
    const client = (tags: Record<string, string>) =>
      toZipkinSpan(finishedSpan({ kind: 'client', logType: 'httpclient', tags }), IP).remoteEndpoint;
    expect(client({ 'remote.host': '127.0.0.1:8080' })).toEqual({ ipv4: '127.0.0.1', port: 8080 });
    expect(client({ 'remote.host': '[::1]:443', 'remote.app': 'backend' })).toEqual({
      serviceName: 'backend',
      ipv6: '::1',
      port: 443,
    });
    expect(client({ 'remote.host': 'API.example.com:0' })).toEqual({ serviceName: 'api.example.com' });
    expect(client({})).toBeUndefined();
  });

  it('localEndpoint is the app name and the local IPv4; span logs become unique annotations', () => {
    const s = toZipkinSpan(
      finishedSpan({
        logs: [
          { time: 1_700_000_000_130, fields: { event: 'retry' } },
          { time: 1_700_000_000_130, fields: { event: 'retry' } },
          { time: 1_700_000_000_131.5, fields: { event: 'done', bytes: 12 } },
        ],
      }),
      IP,
    );
    expect(s.localEndpoint).toEqual({ serviceName: 'shop', ipv4: IP });
    expect(s.annotations).toEqual([
      { timestamp: 1_700_000_000_130_000, value: 'retry' },
      { timestamp: 1_700_000_000_131_500, value: 'done' },
      { timestamp: 1_700_000_000_131_500, value: '12' },
    ]);
    expect(valid(s)).toEqual([]);
  });

  it('a trace that entered as W3C keeps its 32-hex id; the foreign parent id is kept exactly', async () => {
    const t = makeTracer('w3c-app', {}, false);
    try {
      const remote = t.tracer.extract('http_headers', {
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      });
      const span = t.tracer.startSpan('GET /x', { kind: 'server', childOf: remote, logType: 'express' });
      span.finish();
      const z = toZipkinSpan(span, IP);
      expect(z.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(z.parentId).toBe('00f067aa0ba902b7');
      expect(z.id).toMatch(/^[0-9a-f]{16}$/);
      expect(valid(z)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('a trace that entered as B3 from a Zipkin-instrumented caller keeps its 64-bit trace id and parent span id', async () => {
    const t = makeTracer('b3-app', {}, false);
    try {
      const remote = t.tracer.extract('http_headers', {
        'X-B3-TraceId': '463ac35c9f6413ad',
        'X-B3-SpanId': 'a2fb4a1d1a96d312',
        'X-B3-Sampled': '1',
      });
      const span = t.tracer.startSpan('GET /x', { kind: 'server', childOf: remote, logType: 'express' });
      span.finish();
      const z = toZipkinSpan(span, IP);
      expect(z.traceId).toBe('463ac35c9f6413ad');
      expect(z.parentId).toBe('a2fb4a1d1a96d312');
      expect(valid(z)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('hostile ids and values still give a valid Zipkin span', () => {
    const s = toZipkinSpan(
      finishedSpan({
        traceId: 'not-hex-at-all',
        operationName: '\u0000"quoted"\n',
        tags: { 'weird\nkey': '\ud800', n: Number.NaN },
      }),
      IP,
    );
    expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(s.tags.n).toBe('NaN');
    expect(valid(s)).toEqual([]);
  });
});
