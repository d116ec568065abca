import http from 'node:http';
import { readFileSync } from 'node:fs';
import { sofaTracer } from '@sofa-tracer/koa';
import { instrumentHttpClients } from '@sofa-tracer/http-client';
import {
  expectSanitisedDigest,
  expectSanitisedOutgoing,
  HOSTILE_HEADER_CASES,
  JAVA_TRACE_ID,
  rawGet,
} from '../../../test/support/hostile-headers';
import { KOA_VERSIONS, ROUTER_VERSIONS } from './koa-apps';
import { listen, makeTracer, serverOf, type TestTracer } from './helpers';

/**
 * Two real koa services in one process, each with its own tracer and log directory: a gateway
 * (@koa/router 15) that calls a backend (koa-router 14) with fetch and with http.request.
 * Asserted on the digest lines on disk and on the headers the backend received.
 */
type Line = Record<string, unknown>;
type Ctx = Record<string, any>;

describe.each(KOA_VERSIONS)('%s: gateway → backend', (_label, loadKoa) => {
  const Koa = loadKoa();
  const GatewayRouter = ROUTER_VERSIONS[2]![1]();
  const BackendRouter = ROUTER_VERSIONS[3]![1]();
  let gw: TestTracer;
  let be: TestTracer;
  let gwUrl: string;
  let gwPort: number;
  const closers: (() => Promise<void>)[] = [];
  let uninstall: () => void;
  let seen: http.IncomingHttpHeaders[];

  beforeAll(async () => {
    gw = makeTracer('gateway');
    be = makeTracer('backend');
    const backend = new Koa();
    backend.use(sofaTracer({ tracer: be.tracer }));
    const br = new BackendRouter({ prefix: '/items' });
    br.get('/:id', (ctx: Ctx) => {
      seen.push(ctx.headers);
      ctx.body = { id: ctx.params.id, span: be.tracer.activeSpan()?.context().spanId };
    });
    backend.use(br.routes());
    const b = await listen(serverOf(backend));
    closers.push(b.close);

    const gateway = new Koa();
    gateway.use(sofaTracer({ tracer: gw.tracer }));
    const gr = new GatewayRouter();
    gr.get('/checkout', async (ctx: Ctx) => {
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
      ctx.body = { viaFetch, viaHttp };
    });
    gateway.use(gr.routes());
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
    expect([body.viaFetch.span, body.viaHttp.span]).toEqual(['0.1.1.1.1', '0.1.1.2.1']);

    const [server] = await linesOf(gw, 'koa-digest.log', JAVA_TRACE_ID);
    expect(server).toMatchObject({
      'local.app': 'gateway',
      spanId: '0.1.1',
      'span.kind': 'server',
      'result.code': '200',
      route: '/checkout',
    });
    expect(server!['biz.baggage']).toContain('user=alice smith&');
    const clients = await linesOf(gw, 'httpclient-digest.log', JAVA_TRACE_ID);
    expect(clients.map((l) => [l.spanId, l['result.code']])).toEqual([
      ['0.1.1.1', '200'],
      ['0.1.1.2', '200'],
    ]);
    const backendLines = await linesOf(be, 'koa-digest.log', JAVA_TRACE_ID);
    expect(backendLines.map((l) => [l['local.app'], l.spanId, l.route])).toEqual([
      ['backend', '0.1.1.1.1', '/items/:id'],
      ['backend', '0.1.1.2.1', '/items/:id'],
    ]);
    for (const l of backendLines) expect(l['biz.baggage']).toMatch(/order=o-1&/);
    // what a Java service downstream reads
    expect(seen[0]).toMatchObject({
      'x-b3-traceid': JAVA_TRACE_ID,
      'x-b3-spanid': '0.1.1.1',
      'x-b3-parentspanid': '0.1.1',
      'x-b3-sampled': 'true',
      'baggage-user': 'alice+smith',
    });
  });

  it('starts a new trace when no context comes in: server 0, backend 0.1.1 / 0.2.1', async () => {
    await (await fetch(gwUrl + '/checkout')).json();
    const traceId = seen[0]!['x-b3-traceid'] as string;
    expect(traceId).toMatch(/^[0-9a-f]{25,32}$/);
    expect((await linesOf(gw, 'koa-digest.log', traceId)).map((l) => l.spanId)).toEqual(['0']);
    expect((await linesOf(be, 'koa-digest.log', traceId)).map((l) => l.spanId)).toEqual(['0.1.1', '0.2.1']);
  });

  it('sampled=false: no digest lines, the stat line still counts the request', async () => {
    const traceId = '0a0fe9271567477985327100219999';
    gw.tracer.printStats();
    await (
      await fetch(gwUrl + '/checkout', {
        headers: { 'X-B3-TraceId': traceId, 'X-B3-SpanId': '0.3', 'X-B3-Sampled': 'false' },
      })
    ).json();
    expect(seen[0]!['x-b3-sampled']).toBe('false');
    expect(await linesOf(gw, 'koa-digest.log', traceId)).toEqual([]);
    expect(await linesOf(be, 'koa-digest.log', traceId)).toEqual([]);
    gw.tracer.printStats();
    await gw.tracer.flush();
    const stats = readFileSync(`${gw.dir}/tracelog/koa-stat.log`, 'utf8').split('\n').filter(Boolean);
    expect(JSON.parse(stats.at(-1)!)).toMatchObject({
      'stat.key': { 'local.app': 'gateway', route: '/checkout', method: 'GET' },
      count: 1,
      success: 'Y',
    });
  });

  it('W3C traceparent in and out keeps the trace id', async () => {
    const w3cTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    await (
      await fetch(gwUrl + '/checkout', {
        headers: { traceparent: `00-${w3cTrace}-00f067aa0ba902b7-01`, baggage: 'userId=alice' },
      })
    ).json();
    expect(seen[0]!.traceparent).toMatch(new RegExp(`^00-${w3cTrace}-[0-9a-f]{16}-01$`));
    expect(String(seen[0]!.baggage)).toContain('userId=alice');
    expect((await linesOf(gw, 'koa-digest.log', w3cTrace)).length).toBe(1);
    expect((await linesOf(be, 'koa-digest.log', w3cTrace)).length).toBe(2);
  });

  it('hex B3 from a Zipkin/OTel peer keeps its trace id', async () => {
    const hexTrace = '463ac35c9f6413ad48485a3953bb6124';
    await (
      await fetch(gwUrl + '/checkout', {
        headers: { 'X-B3-TraceId': hexTrace, 'X-B3-SpanId': 'a2fb4a1d1a96d312', 'X-B3-Sampled': '1' },
      })
    ).json();
    expect(seen[0]!['x-b3-traceid']).toBe(hexTrace);
    expect((await linesOf(gw, 'koa-digest.log', hexTrace)).length).toBe(1);
  });

  describe('hostile headers never throw, never reach logs or outgoing headers unsanitised', () => {
    it.each(HOSTILE_HEADER_CASES)('%s', async (_name, lines) => {
      const response = await rawGet(gwPort, '/checkout', lines);
      expect(response).toMatch(/^HTTP\/1\.1 200 /);
      expect(seen).toHaveLength(2);
      expectSanitisedOutgoing(seen);
      expectSanitisedDigest(await gw.rawDigest('koa-digest.log'), seen[0]!['x-b3-traceid'] as string);
    });
  });
});
