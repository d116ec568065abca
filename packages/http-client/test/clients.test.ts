import http from 'node:http';
import https from 'node:https';
import diagnostics from 'node:diagnostics_channel';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { request as undiciRequest, Agent } from 'undici';
import axios from 'axios';
import { HttpClient } from 'urllib';
// Older majors users still run, installed side by side under npm aliases.
import { request as undici5Request, Agent as Agent5 } from 'undici5';
import { request as undici6Request, Agent as Agent6 } from 'undici6';
import * as urllib3 from 'urllib3';
import { instrumentHttpClients, httpClientInstrumentationStats } from '@sofa-tracer/http-client';
import type { ReadableSpan } from '@sofa-tracer/core';
import { makeTracer, until, type TestTracer } from './helpers';
import { startBackend, type Seen } from './backend';

const DIGEST = 'httpclient-digest.log';

let t: TestTracer;
let backend: Awaited<ReturnType<typeof startBackend>>;
let uninstall: () => void;
const originals = { request: http.request, get: http.get, httpsRequest: https.request, httpsGet: https.get };

let closedPort = 0;
const agent5 = new Agent5();
const agent6 = new Agent6();

beforeAll(async () => {
  // a port nothing listens on (fetch refuses "bad ports" such as 1 before connecting)
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  t = makeTracer('gateway');
  backend = await startBackend();
  uninstall = instrumentHttpClients({ tracer: t.tracer });
});

afterAll(async () => {
  await Promise.all([agent5.close(), agent6.close()]);
  uninstall();
  await backend.close();
  await t.close();
});

beforeEach(() => {
  t.spans.length = 0;
  backend.seen.length = 0;
});

function urlllibClient(): HttpClient {
  return new HttpClient();
}

/** Runs `fn` under a server-like parent span and returns the parent. */
async function underParent(fn: () => Promise<unknown>): Promise<ReadableSpan> {
  const parent = t.tracer.startSpan('GET /parent', { kind: 'server', childOf: null });
  await t.tracer.withSpan(parent, fn);
  parent.finish();
  return parent;
}

async function clientSpans(n: number): Promise<ReadableSpan[]> {
  await until(() => t.spans.filter((s) => s.kind === 'client').length >= n, `${n} client spans`);
  return t.spans.filter((s) => s.kind === 'client');
}

// Every undici copy shares ONE global dispatcher (Symbol.for('undici.globalDispatcher.1')), so a
// version is only really exercised with an Agent of its own. `chunkSizes`: whether the client's
// undici publishes body chunks (undici >= 7); without them a chunked body's size is unknown (-1).
const clients: [string, (url: string) => Promise<unknown>, { chunkSizes: boolean }][] = [
  [
    'fetch (Node-bundled undici)',
    async (url) => (await fetch(url)).text(),
    // Node 20 and 22 bundle undici 6; Node 24 bundles undici 7
    { chunkSizes: Number((process.versions.undici ?? '0').split('.')[0]) >= 7 },
  ],
  [
    'undici.request (undici 7 package)',
    async (url) => (await undiciRequest(url)).body.text(),
    { chunkSizes: true },
  ],
  [
    'undici.request (undici 6 package, own Agent)',
    async (url) => (await undici6Request(url, { dispatcher: agent6 })).body.text(),
    { chunkSizes: false },
  ],
  [
    'undici.request (undici 5 package, own Agent)',
    async (url) => (await undici5Request(url, { dispatcher: agent5 })).body.text(),
    { chunkSizes: false },
  ],
  ['urllib 4', async (url) => urlllibClient().request(url), { chunkSizes: true }],
  ['urllib 3 (undici 5)', async (url) => urllib3.request(url), { chunkSizes: false }],
  ['axios (node:http)', async (url) => axios.get(url), { chunkSizes: true }],
  [
    'http.get',
    (url) =>
      new Promise((resolve, reject) => {
        http
          .get(url, (res) => {
            res.resume();
            res.on('end', resolve);
          })
          .on('error', reject);
      }),
    { chunkSizes: true },
  ],
];

describe.each(clients)('%s', (_label, call, { chunkSizes }) => {
  it('writes one client span, child of the active span, and sends its context downstream', async () => {
    let parent!: ReadableSpan;
    await (async () => {
      parent = await underParent(async () => {
        await call(backend.url + '/echo?secret=1');
      });
    })();
    const [span] = await clientSpans(1);
    const ctx = span!.context();
    expect(ctx.traceId).toBe(parent.context().traceId);
    expect(ctx.spanId).toBe('0.1');
    expect(ctx.parentId).toBe('0');
    const seen = backend.seen.at(-1) as Seen;
    expect(seen.headers['x-b3-traceid']).toBe(ctx.traceId);
    expect(seen.headers['x-b3-spanid']).toBe('0.1');
    expect(seen.headers['x-b3-parentspanid']).toBe('0');
    expect(seen.headers['x-b3-sampled']).toBe('true');
    expect(seen.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(span!.resultCode).toBe('200');
    expect(span!.tags).toMatchObject({
      'request.url': `${backend.url}/echo`,
      method: 'GET',
      'req.size.bytes': 0,
      'resp.size.bytes': JSON.stringify({ ok: true, body: 0 }).length,
      'remote.host': `127.0.0.1:${backend.port}`,
    });
    const lines = await t.digest(DIGEST);
    const line = lines.find((l) => l.traceId === ctx.traceId && l.spanId === '0.1')!;
    expect(Object.keys(line)).toEqual([
      'time',
      'local.app',
      'traceId',
      'spanId',
      'span.kind',
      'result.code',
      'current.thread.name',
      'time.cost.milliseconds',
      'request.url',
      'method',
      'req.size.bytes',
      'resp.size.bytes',
      'remote.app',
      'sys.baggage',
      'biz.baggage',
    ]);
    expect(line).toMatchObject({
      'span.kind': 'client',
      'result.code': '200',
      'remote.app': '',
      method: 'GET',
    });
  });

  it('counts a chunked response body', async () => {
    await call(backend.url + '/chunked');
    const [span] = await clientSpans(1);
    // undici < 7 (behind fetch on Node 20 and 22, the 5/6 packages) publishes no body-chunk
    // events: the size of a body without content-length is unknown, written -1, never a wrong 0
    expect(span!.tags['resp.size.bytes']).toBe(chunkSizes ? 12 : -1);
    expect(span!.resultCode).toBe('200');
    expect(span!.context().spanId).toBe('0'); // no active span: a root
  });

  it('finishes with 99 and the error when the connection is refused', async () => {
    await expect(call(`http://127.0.0.1:${closedPort}/refused`)).rejects.toBeDefined();
    const [span] = await clientSpans(1);
    expect(span!.resultCode).toBe('99');
    expect(String(span!.tags.error)).not.toBe('');
    expect(span!.tags['resp.size.bytes']).toBe(-1);
  });
});

describe('outcomes', () => {
  it('fetch aborted by an AbortSignal → 499; timeout → 03', async () => {
    const ac = new AbortController();
    const p = fetch(backend.url + '/slow', { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toThrow();
    await expect(fetch(backend.url + '/slow', { signal: AbortSignal.timeout(30) })).rejects.toThrow();
    const spans = await clientSpans(2);
    expect(spans.map((s) => s.resultCode).sort()).toEqual(['03', '499'].sort());
  });

  it('axios cancelled through an AbortSignal → 499', async () => {
    const ac = new AbortController();
    const p = axios.get(backend.url + '/slow', { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toThrow();
    const [span] = await clientSpans(1);
    expect(span!.resultCode).toBe('499');
  });

  it('undici headersTimeout → 03', async () => {
    // undici's coarse timers fire timeouts with up to ~1 s of slack: the backend waits longer
    const dispatcher = new Agent({ headersTimeout: 50 });
    await expect(undiciRequest(backend.url + '/slow?ms=2500', { dispatcher })).rejects.toThrow();
    const [span] = await clientSpans(1);
    expect(span!.resultCode).toBe('03');
    await dispatcher.close();
  });

  it('axios timeout → 03; http.request timeout + destroy → 03', async () => {
    await expect(axios.get(backend.url + '/slow', { timeout: 30 })).rejects.toThrow();
    await new Promise<void>((resolve) => {
      const req = http.get(backend.url + '/slow');
      req.setTimeout(30, () => req.destroy(new Error('gave up')));
      req.on('error', () => resolve());
    });
    const spans = await clientSpans(2);
    expect(spans.map((s) => s.resultCode)).toEqual(['03', '03']);
  });

  it('a body cut short by the server → 99', async () => {
    await new Promise<void>((resolve) => {
      http.get(backend.url + '/reset', (res) => {
        res.on('data', () => undefined);
        res.on('error', () => resolve());
        res.on('close', () => resolve());
      });
    });
    await expect(fetch(backend.url + '/reset').then((r) => r.text())).rejects.toThrow();
    const spans = await clientSpans(2);
    expect(spans.map((s) => s.resultCode)).toEqual(['99', '99']);
  });

  it('a fetch body never consumed: the span finishes when the Response is garbage-collected (99)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const statusOnly = async (): Promise<number> => (await fetch(backend.url + '/big')).status;
    expect(await statusOnly()).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(httpClientInstrumentationStats().activeSpans).toBe(1); // stalled: the body is not read
    for (let i = 0; i < 100 && httpClientInstrumentationStats().activeSpans > 0; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    const [span] = await clientSpans(1);
    expect(span!.resultCode).toBe('99');
    expect(span!.tags.error).toMatch(/garbage collected/);
  });

  it('HTTP error statuses are result codes, not errors', async () => {
    const res = await fetch(backend.url + '/status/404');
    await res.text();
    const [span] = await clientSpans(1);
    expect(span!.resultCode).toBe('404');
    expect(span!.tags.error ?? '').toBe('');
  });

  it('counts request bodies (content-length and streamed)', async () => {
    await fetch(backend.url + '/echo', { method: 'POST', body: 'x'.repeat(300) }).then((r) => r.text());
    await new Promise<void>((resolve) => {
      const req = http.request(backend.url + '/echo', { method: 'POST' }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.write('abc');
      req.end('defg');
    });
    const spans = await clientSpans(2);
    expect(spans.map((s) => s.tags['req.size.bytes'])).toEqual([300, 7]);
    expect(backend.seen.map((s) => s.body)).toEqual([300, 7]);
  });

  it('https: the wrapper covers https.get (error path, no certificate needed)', async () => {
    await new Promise<void>((resolve) => https.get('https://127.0.0.1:1/x').on('error', () => resolve()));
    const [span] = await clientSpans(1);
    expect(span!.tags['request.url']).toBe('https://127.0.0.1:1/x');
    expect(span!.resultCode).toBe('99');
  });
});

describe('headers', () => {
  it('replaces trace headers the caller set instead of sending two (undici and http)', async () => {
    const stale = {
      'X-B3-TraceId': 'stale',
      'X-B3-SpanId': '9.9',
      traceparent: '00-' + 'a'.repeat(32) + '-' + 'b'.repeat(16) + '-01',
    };
    await underParent(async () => {
      await undiciRequest(backend.url + '/echo', { headers: stale }).then((r) => r.body.text());
      await fetch(backend.url + '/echo', { headers: stale }).then((r) => r.text());
      await axios.get(backend.url + '/echo', { headers: stale });
    });
    expect(backend.seen).toHaveLength(3);
    for (const s of backend.seen) {
      const traceIds = s.rawHeaders.filter(
        (_, i) => i % 2 === 0 && s.rawHeaders[i]!.toLowerCase() === 'x-b3-traceid',
      );
      expect(traceIds).toHaveLength(1);
      expect(s.headers['x-b3-traceid']).not.toBe('stale');
      expect(s.headers.traceparent).not.toContain('a'.repeat(32));
    }
  });
});

describe('uninstall', () => {
  it('a call in flight at uninstall still finishes its span; then the prototype is restored', async () => {
    let res!: http.IncomingMessage;
    const req = http.get(backend.url + '/slow?ms=50', (r) => (res = r));
    const closed = new Promise((r) => req.on('close', r));
    uninstall();
    expect(httpClientInstrumentationStats()).toMatchObject({
      installed: false,
      clientPrototypeWrapped: true,
    });
    await until(() => res !== undefined, 'response');
    res.resume();
    await closed;
    const [span] = await clientSpans(1);
    expect(span!.resultCode).toBe('200');
    expect(httpClientInstrumentationStats()).toMatchObject({ activeSpans: 0, clientPrototypeWrapped: false });
    expect(Object.prototype.hasOwnProperty.call(http.ClientRequest.prototype, 'emit')).toBe(false);
    uninstall = instrumentHttpClients({ tracer: t.tracer });
  });

  it('restores node:http and unsubscribes from undici', () => {
    const stats = httpClientInstrumentationStats();
    expect(stats.installed).toBe(true);
    expect(stats.channelSubscriptions).toBe(5);
    expect(http.request).not.toBe(originals.request);
    uninstall();
    expect(http.request).toBe(originals.request);
    expect(httpClientInstrumentationStats().clientPrototypeWrapped).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(http.ClientRequest.prototype, 'write')).toBe(false);
    expect(http.get).toBe(originals.get);
    expect(https.request).toBe(originals.httpsRequest);
    expect(https.get).toBe(originals.httpsGet);
    expect(httpClientInstrumentationStats().channelSubscriptions).toBe(0);
    // urllib subscribes to some undici channels itself; this one is ours alone
    expect(diagnostics.channel('undici:request:bodyChunkReceived').hasSubscribers).toBe(false);
    expect(httpClientInstrumentationStats().installed).toBe(false);
    uninstall = instrumentHttpClients({ tracer: t.tracer });
  });
});
