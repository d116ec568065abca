import http from 'node:http';
import { sofaTracer } from '@sofa-tracer/express';
import { instrumentHttpClients } from '@sofa-tracer/http-client';
import { EXPRESS_VERSIONS, serverOf, type App } from './express-apps';
import { listen, makeTracer, type TestTracer } from './helpers';
import {
  expectSanitisedDigest,
  expectSanitisedOutgoing,
  HOSTILE_HEADER_CASES,
  JAVA_TRACE_ID,
  rawGet,
} from '../../../test/support/hostile-headers';

/**
 * Two real express services in one process, each with its own tracer and log directory:
 * a gateway that calls a backend with fetch and with http.request. Everything is asserted on
 * the digest lines on disk and on the headers the backend received.
 */
type Line = Record<string, unknown>;
type Seen = http.IncomingHttpHeaders;

describe.each(EXPRESS_VERSIONS)('%s: gateway → backend', (_label, load) => {
  const express = load();
  let gw: TestTracer;
  let be: TestTracer;
  let gwUrl: string;
  let gwPort: number;
  const closers: (() => Promise<void>)[] = [];
  let uninstall: () => void;
  let seen: Seen[];

  beforeAll(async () => {
    gw = makeTracer('gateway');
    be = makeTracer('backend');
    const backend: App = express();
    backend.use(sofaTracer({ tracer: be.tracer }));
    backend.get('/items/:id', (req: { headers: Seen }, res: { json(b: unknown): void }) => {
      seen.push(req.headers);
      res.json({ id: 1, span: be.tracer.activeSpan()?.context().spanId });
    });
    const b = await listen(serverOf(backend));
    closers.push(b.close);

    const gateway: App = express();
    gateway.use(sofaTracer({ tracer: gw.tracer }));
    gateway.get('/checkout', async (_req: unknown, res: { json(b: unknown): void }) => {
      gw.tracer.activeSpan()?.setBaggageItem('order', 'o-1');
      const viaFetch = await (await fetch(`${b.url}/items/1`)).json();
      const viaHttp = await new Promise<unknown>((resolve, reject) => {
        const req = http.request(`${b.url}/items/2`, (r) => {
          let s = '';
          r.on('data', (c) => (s += c));
          r.on('end', () => resolve(JSON.parse(s)));
        });
        req.on('error', reject);
        req.end();
      });
      res.json({ viaFetch, viaHttp });
    });
    const g = await listen(serverOf(gateway));
    gwUrl = g.url;
    gwPort = g.port;
    closers.push(g.close);
    // the test's own calls into the gateway stay untraced: they stand for a foreign caller
    uninstall = instrumentHttpClients({ tracer: gw.tracer, ignoreUrls: [gwUrl] });
  });

  beforeEach(() => {
    seen = [];
  });

  afterAll(async () => {
    uninstall();
    for (const c of closers) await c();
    await gw.close();
    await be.close();
  });

  async function linesOf(t: TestTracer, file: string, traceId: string): Promise<Line[]> {
    return (await t.digest(file)).filter((l) => l.traceId === traceId);
  }

  it('continues a trace sent the way a Java SOFATracer service sends it, across both services', async () => {
    const res = await fetch(gwUrl + '/checkout', {
      headers: {
        'X-B3-TraceId': JAVA_TRACE_ID,
        'X-B3-SpanId': '0.1',
        'X-B3-ParentSpanId': '0',
        'X-B3-Sampled': 'true',
        'baggage-user': 'alice%20smith',
      },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { viaFetch: { span: string }; viaHttp: { span: string } };
    expect(body.viaFetch.span).toBe('0.1.1.1.1');
    expect(body.viaHttp.span).toBe('0.1.1.2.1');

    const [server] = await linesOf(gw, 'express-digest.log', JAVA_TRACE_ID);
    expect(server).toMatchObject({
      'local.app': 'gateway',
      spanId: '0.1.1',
      'span.kind': 'server',
      'result.code': '200',
      route: '/checkout',
    });
    expect(server!['biz.baggage']).toContain('user=alice smith&');

    const clients = await linesOf(gw, 'httpclient-digest.log', JAVA_TRACE_ID);
    expect(clients.map((l) => [l.spanId, l['span.kind'], l['result.code'], l['request.url']])).toEqual([
      ['0.1.1.1', 'client', '200', expect.stringMatching(/\/items\/1$/)],
      ['0.1.1.2', 'client', '200', expect.stringMatching(/\/items\/2$/)],
    ]);

    const backendLines = await linesOf(be, 'express-digest.log', JAVA_TRACE_ID);
    expect(backendLines.map((l) => [l['local.app'], l.spanId, l.route])).toEqual([
      ['backend', '0.1.1.1.1', '/items/:id'],
      ['backend', '0.1.1.2.1', '/items/:id'],
    ]);
    for (const l of backendLines) expect(l['biz.baggage']).toMatch(/user=alice smith&/);
    for (const l of backendLines) expect(l['biz.baggage']).toMatch(/order=o-1&/);

    // what a Java service downstream reads
    const h = seen[0]!;
    expect(h['x-b3-traceid']).toBe(JAVA_TRACE_ID);
    expect(h['x-b3-spanid']).toBe('0.1.1.1');
    expect(h['x-b3-parentspanid']).toBe('0.1.1');
    expect(h['x-b3-sampled']).toBe('true');
    expect(h['baggage-user']).toBe('alice+smith'); // java.net.URLEncoder's form, which Java decodes
    expect(h['baggage-order']).toBe('o-1');
    expect(seen[1]!['x-b3-spanid']).toBe('0.1.1.2');
  });

  it('starts a new trace when no context comes in: server 0, clients 0.1 / 0.2, backend 0.1.1 / 0.2.1', async () => {
    await (await fetch(gwUrl + '/checkout')).json();
    const traceId = seen[0]!['x-b3-traceid'] as string;
    expect(traceId).toMatch(/^[0-9a-f]{25,32}$/);
    expect((await linesOf(gw, 'express-digest.log', traceId)).map((l) => l.spanId)).toEqual(['0']);
    expect(
      (await linesOf(gw, 'httpclient-digest.log', traceId)).map((l) => [
        l.spanId,
        (l as Line)['result.code'],
      ]),
    ).toEqual([
      ['0.1', '200'],
      ['0.2', '200'],
    ]);
    expect((await linesOf(be, 'express-digest.log', traceId)).map((l) => l.spanId)).toEqual([
      '0.1.1',
      '0.2.1',
    ]);
  });

  it('carries sampled=false downstream: no digest lines anywhere, stats still counted', async () => {
    const traceId = '0a0fe9271567477985327100219999';
    gw.tracer.printStats(); // start a fresh stat interval
    be.tracer.printStats();
    await (
      await fetch(gwUrl + '/checkout', {
        headers: { 'X-B3-TraceId': traceId, 'X-B3-SpanId': '0.3', 'X-B3-Sampled': 'false' },
      })
    ).json();
    expect(seen[0]!['x-b3-sampled']).toBe('false');
    expect(seen[0]!.traceparent).toMatch(/-00$/);
    expect(await linesOf(gw, 'express-digest.log', traceId)).toEqual([]);
    expect(await linesOf(gw, 'httpclient-digest.log', traceId)).toEqual([]);
    expect(await linesOf(be, 'express-digest.log', traceId)).toEqual([]);
    gw.tracer.printStats();
    be.tracer.printStats();
    const lastStats = async (t: TestTracer, file: string) => {
      await t.tracer.flush();
      const { readFileSync } = await import('node:fs');
      return readFileSync(`${t.dir}/tracelog/${file}`, 'utf8')
        .split(/\r?\n/)
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line);
    };
    expect((await lastStats(gw, 'express-stat.log')).at(-1)).toMatchObject({
      'stat.key': { 'local.app': 'gateway', route: '/checkout', method: 'GET' },
      count: 1,
      success: 'Y',
    });
    expect((await lastStats(gw, 'httpclient-stat.log')).at(-1)).toMatchObject({
      'stat.key': {
        'local.app': 'gateway',
        'remote.host': expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        method: 'GET',
      },
      count: 2,
      success: 'Y',
    });
    expect((await lastStats(be, 'express-stat.log')).at(-1)).toMatchObject({
      'stat.key': { 'local.app': 'backend', route: '/items/:id', method: 'GET' },
      count: 2,
    });
  });

  it('W3C traceparent/tracestate/baggage in and out keep the trace id', async () => {
    const w3cTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    await (
      await fetch(gwUrl + '/checkout', {
        headers: {
          traceparent: `00-${w3cTrace}-00f067aa0ba902b7-01`,
          tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
          baggage: 'userId=alice,plan=gold',
        },
      })
    ).json();
    const h = seen[0]!;
    expect(h.traceparent).toMatch(new RegExp(`^00-${w3cTrace}-[0-9a-f]{16}-01$`));
    expect(h.tracestate).toContain('congo=t61rcWkgMzE');
    expect(h.tracestate).toContain('rojo=00f067aa0ba902b7');
    expect(String(h.baggage)).toContain('userId=alice');
    const [server] = await linesOf(gw, 'express-digest.log', w3cTrace);
    expect(server).toBeDefined();
    expect((await linesOf(be, 'express-digest.log', w3cTrace)).length).toBe(2);
  });

  it('hex B3 from a Zipkin/OTel peer keeps its trace id', async () => {
    const hexTrace = '463ac35c9f6413ad48485a3953bb6124';
    await (
      await fetch(gwUrl + '/checkout', {
        headers: { 'X-B3-TraceId': hexTrace, 'X-B3-SpanId': 'a2fb4a1d1a96d312', 'X-B3-Sampled': '1' },
      })
    ).json();
    expect(seen[0]!['x-b3-traceid']).toBe(hexTrace);
    expect(seen[0]!.traceparent).toMatch(new RegExp(`^00-${hexTrace}-`));
    expect((await linesOf(gw, 'express-digest.log', hexTrace)).length).toBe(1);
  });

  describe('hostile headers never throw, never reach logs or outgoing headers unsanitised', () => {
    it.each(HOSTILE_HEADER_CASES)('%s', async (_name, lines) => {
      const response = await rawGet(gwPort, '/checkout', lines);
      expect(response).toMatch(/^HTTP\/1\.1 200 /);
      expect(seen).toHaveLength(2);
      expectSanitisedOutgoing(seen);
      expectSanitisedDigest(await gw.rawDigest('express-digest.log'), seen[0]!['x-b3-traceid'] as string);
    });
  });
});
