// The two-service scenarios every HTTP server plugin runs (express, koa, …): a gateway that calls a
// backend with fetch and with http.request, each service with its own tracer and log directory,
// both traced by the plugin under test. Everything is asserted on the digest/stat lines on disk
// and on the headers the backend received. The plugin's test only builds the two apps.

import http, { type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { instrumentHttpClients } from '@sofa-tracer/http-client';
import { listen, makeTracer, type TestTracer } from './plugin-fixtures';
import {
  expectSanitisedDigest,
  expectSanitisedOutgoing,
  HOSTILE_HEADER_CASES,
  JAVA_TRACE_ID,
  rawGet,
} from './hostile-headers';

type Line = Record<string, unknown>;
type Seen = IncomingHttpHeaders;

/** The two apps of one framework, built by its test. */
export interface TwoServiceApps {
  /**
   * The backend, traced by `be`: `GET /items/:id` calls `record(request headers)` and answers
   * `backendAnswer(be)` as JSON. Returns its (not yet listening) server.
   */
  backend(be: TestTracer, record: (headers: Seen) => void): Server;
  /** The gateway, traced by `gw`: `GET /checkout` answers `await callBackend(gw, backendUrl)` as JSON. */
  gateway(gw: TestTracer, backendUrl: string): Server;
}

/** What the backend answers: the span id current in its handler. */
export function backendAnswer(be: TestTracer): { span: string | undefined } {
  return { span: be.tracer.activeSpan()?.context().spanId };
}

/** What the gateway does per request: a baggage item, then the backend once with fetch, once with http.request. */
export async function callBackend(
  gw: TestTracer,
  backendUrl: string,
): Promise<{ viaFetch: unknown; viaHttp: unknown }> {
  gw.tracer.activeSpan()?.setBaggageItem('order', 'o-1');
  const viaFetch = await (await fetch(`${backendUrl}/items/1`)).json();
  const viaHttp = await new Promise<unknown>((resolve, reject) => {
    const req = http.request(`${backendUrl}/items/2`, (r) => {
      let s = '';
      r.on('data', (c) => (s += c));
      r.on('end', () => resolve(JSON.parse(s)));
    });
    req.on('error', reject);
    req.end();
  });
  return { viaFetch, viaHttp };
}

/**
 * Defines the scenarios (and their set-up) inside the caller's `describe`.
 * @param logType the plugin's log type name: lines are read from `<logType>-digest.log` / `-stat.log`
 */
export function twoServiceScenarios(logType: string, apps: TwoServiceApps): void {
  const digestFile = `${logType}-digest.log`;
  const statFile = `${logType}-stat.log`;
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
    const b = await listen(apps.backend(be, (h) => seen.push(h)));
    closers.push(b.close);
    const g = await listen(apps.gateway(gw, b.url));
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

    const [server] = await linesOf(gw, digestFile, JAVA_TRACE_ID);
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

    const backendLines = await linesOf(be, digestFile, JAVA_TRACE_ID);
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
    expect((await linesOf(gw, digestFile, traceId)).map((l) => l.spanId)).toEqual(['0']);
    expect(
      (await linesOf(gw, 'httpclient-digest.log', traceId)).map((l) => [
        l.spanId,
        (l as Line)['result.code'],
      ]),
    ).toEqual([
      ['0.1', '200'],
      ['0.2', '200'],
    ]);
    expect((await linesOf(be, digestFile, traceId)).map((l) => l.spanId)).toEqual(['0.1.1', '0.2.1']);
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
    expect(await linesOf(gw, digestFile, traceId)).toEqual([]);
    expect(await linesOf(gw, 'httpclient-digest.log', traceId)).toEqual([]);
    expect(await linesOf(be, digestFile, traceId)).toEqual([]);
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
    expect((await lastStats(gw, statFile)).at(-1)).toMatchObject({
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
    expect((await lastStats(be, statFile)).at(-1)).toMatchObject({
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
    const [server] = await linesOf(gw, digestFile, w3cTrace);
    expect(server).toBeDefined();
    expect((await linesOf(be, digestFile, w3cTrace)).length).toBe(2);
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
    expect((await linesOf(gw, digestFile, hexTrace)).length).toBe(1);
  });

  describe('hostile headers never throw, never reach logs or outgoing headers unsanitised', () => {
    it.each(HOSTILE_HEADER_CASES)('%s', async (_name, lines) => {
      const response = await rawGet(gwPort, '/checkout', lines);
      expect(response).toMatch(/^HTTP\/1\.1 200 /);
      expect(seen).toHaveLength(2);
      expectSanitisedOutgoing(seen);
      await gw.tracer.flush();
      // the bytes on disk, split at LF only: no raw C0/C1 control, DEL or U+2028/U+2029 in a line
      expectSanitisedDigest(join(gw.dir, 'tracelog', digestFile), seen[0]!['x-b3-traceid'] as string);
    });
  });
}
