import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sofaTracer } from '@sofa-tracer/koa';
import { activeHttpServerSpanCount, CLIENT_ABORTED_ERROR } from '@sofa-tracer/core';
import { KOA_VERSIONS, ROUTER_VERSIONS } from './koa-apps';
import { HTTP_SERVER_DIGEST_KEYS, listen, makeTracer, serverOf, until, type TestTracer } from './helpers';

const DIGEST = 'koa-digest.log';
type Ctx = Record<string, any>;
type Next = () => Promise<unknown>;

describe.each(KOA_VERSIONS)('%s', (label, loadKoa) => {
  const Koa = loadKoa();
  const Router = ROUTER_VERSIONS[2]![1]();
  const isKoa3 = label === 'koa 3';
  let t: TestTracer;
  let base: string;
  let port: number;
  let close: () => Promise<void>;
  const thrown = new Error('boom');
  let seenByErrorMiddleware: unknown[];
  let seenByAppError: unknown[];
  let onHang: () => void = () => undefined;

  beforeAll(async () => {
    t = makeTracer('orders');
    const app = new Koa();
    app.use(
      sofaTracer({
        tracer: t.tracer,
        ignorePaths: ['/health', /^\/internal\//],
        redactQuery: ['token'],
        customTags: (req) => ({ tenant: String(req.headers['x-tenant'] ?? '') }),
      }),
    );
    app.on('error', (err: unknown) => seenByAppError.push(err));
    // the user's error middleware, after the tracer: it sees the thrown object and re-throws it
    app.use(async (ctx: Ctx, next: Next) => {
      try {
        await next();
      } catch (e) {
        seenByErrorMiddleware.push(e);
        if (ctx.path === '/swallowed') {
          ctx.status = 503;
          ctx.body = 'sorry';
          return;
        }
        if (ctx.path === '/reported') {
          // koa's convention for error middlewares: answer, and report the error to the app
          ctx.status = 502;
          ctx.body = 'reported';
          ctx.app.emit('error', e, ctx);
          return;
        }
        throw e;
      }
    });
    const r = new Router();
    r.get('/health', (ctx: Ctx) => (ctx.body = 'ok'));
    r.get('/internal/metrics', (ctx: Ctx) => (ctx.body = 'm'));
    r.get('/users/:id', (ctx: Ctx) => (ctx.body = 'user ' + ctx.params.id));
    r.get('/async', async (ctx: Ctx) => {
      await new Promise((res) => setTimeout(res, 5));
      await Promise.resolve();
      ctx.body = t.tracer.activeSpan()?.context().spanId ?? 'none';
    });
    r.get('/throw', () => {
      throw thrown;
    });
    r.get('/reject', async () => {
      await new Promise((res) => setTimeout(res, 1));
      throw thrown;
    });
    r.get('/gone', (ctx: Ctx) => ctx.throw(404));
    r.get('/teapot', (ctx: Ctx) => ctx.throw(418, 'short and stout'));
    r.get('/swallowed', () => {
      throw new Error('hidden by middleware');
    });
    r.get('/reported', () => {
      throw new Error('caught and reported');
    });
    r.get('/five-hundred', (ctx: Ctx) => {
      ctx.status = 500;
      ctx.body = 'bad';
    });
    r.get('/text', (ctx: Ctx) => (ctx.body = 'héllo')); // 6 bytes
    r.get('/buffer', (ctx: Ctx) => (ctx.body = Buffer.alloc(1000, 1)));
    r.get('/json', (ctx: Ctx) => (ctx.body = { a: 1, b: 'é' })); // {"a":1,"b":"é"} = 16 bytes
    r.get('/stream', (ctx: Ctx) => {
      ctx.type = 'text/plain';
      ctx.body = Readable.from(['abc', 'é', 'xyz'].map((s) => Buffer.from(s)));
    });
    r.get('/broken-stream', (ctx: Ctx) => {
      ctx.type = 'text/plain';
      ctx.body = new Readable({
        read() {
          this.destroy(new Error('disk gone'));
        },
      });
    });
    if (isKoa3) {
      r.get('/blob', (ctx: Ctx) => (ctx.body = new Blob(['blob body!']))); // 10
      r.get('/web-stream', (ctx: Ctx) => {
        ctx.body = new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode('web '));
            c.enqueue(new TextEncoder().encode('stream'));
            c.close();
          },
        });
      });
      r.get('/response', (ctx: Ctx) => (ctx.body = new Response('from a Response'))); // 15
    }
    r.post('/upload', async (ctx: Ctx) => {
      let n = 0;
      for await (const c of ctx.req as AsyncIterable<Buffer>) n += c.length;
      ctx.body = String(n);
    });
    r.get('/hang/:id', async () => {
      onHang();
      await new Promise((res) => setTimeout(res, 60000).unref());
    });
    app.use(r.routes());
    app.use(async (ctx: Ctx) => {
      if (ctx.path === '/no-router') ctx.body = 'middleware only';
    });
    const s = await listen(serverOf(app));
    base = s.url;
    port = s.port;
    close = s.close;
  });

  beforeEach(() => {
    seenByErrorMiddleware = [];
    seenByAppError = [];
  });

  afterAll(async () => {
    await close();
    await t.close();
  });

  async function lineFor(path: string, method = 'GET'): Promise<Record<string, unknown>> {
    const lines = await t.digest(DIGEST);
    const hit = lines.filter((l) => l.method === method && String(l['request.url']).endsWith(path));
    if (hit.length !== 1) throw new Error(`expected one line for ${method} ${path}, got ${hit.length}`);
    return hit[0]!;
  }

  it('continues the caller trace (0.1 → 0.1.1) and keeps the span current across awaits', async () => {
    const res = await fetch(base + '/async', {
      headers: { 'X-B3-TraceId': '0a0fe9271567477985327100211176', 'X-B3-SpanId': '0.1' },
    });
    expect(await res.text()).toBe('0.1.1');
    const line = await lineFor('/async');
    expect(line).toMatchObject({
      traceId: '0a0fe9271567477985327100211176',
      spanId: '0.1.1',
      'span.kind': 'server',
      'result.code': '200',
      route: '/async',
      'resp.size.bytes': 5,
    });
  });

  it('writes the digest fields in express order, with custom tags in listeners', async () => {
    const res = await fetch(base + '/users/42?token=secret&page=2', { headers: { 'x-tenant': 'acme' } });
    expect(await res.text()).toBe('user 42');
    const raw = (await t.rawDigest(DIGEST)).find((l) => l.includes('/users/42'))!;
    expect(Object.keys(JSON.parse(raw))).toEqual(HTTP_SERVER_DIGEST_KEYS);
    expect(JSON.parse(raw)).toMatchObject({
      'request.url': `${base}/users/42?token=***&page=2`,
      'req.size.bytes': 0,
      'resp.size.bytes': 7,
      error: '',
      route: '/users/:id',
    });
    const span = t.spans.find((s) => s.tags['request.url'] === `${base}/users/42?token=***&page=2`)!;
    expect(span.tags.tenant).toBe('acme');
  });

  it.each([
    ['/throw', 500, 'boom'],
    ['/reject', 500, 'boom'],
  ])(
    '%s: recorded, re-thrown unchanged to the error middleware and app.on(error)',
    async (path, status, msg) => {
      const res = await fetch(base + path);
      expect(res.status).toBe(status);
      await res.arrayBuffer();
      expect(seenByErrorMiddleware).toEqual([thrown]);
      expect(seenByErrorMiddleware[0]).toBe(thrown);
      await until(() => seenByAppError.length === 1, 'app error event');
      expect(seenByAppError[0]).toBe(thrown);
      expect(await lineFor(path)).toMatchObject({ 'result.code': String(status), error: msg, route: path });
    },
  );

  it('ctx.throw(404) → 404, ctx.throw(418, msg) → 418 with the message', async () => {
    expect((await fetch(base + '/gone')).status).toBe(404);
    expect((await fetch(base + '/teapot')).status).toBe(418);
    expect(await lineFor('/gone')).toMatchObject({
      'result.code': '404',
      error: 'Not Found',
      route: '/gone',
    });
    expect(await lineFor('/teapot')).toMatchObject({
      'result.code': '418',
      error: 'short and stout',
      route: '/teapot',
    });
  });

  it('a swallowed error or a plain 5xx answer is a failure in the stat log', async () => {
    t.tracer.printStats();
    const res = await fetch(base + '/swallowed');
    expect([res.status, await res.text()]).toEqual([503, 'sorry']);
    expect((await fetch(base + '/five-hundred')).status).toBe(500);
    expect(seenByAppError).toEqual([]);
    expect(await lineFor('/swallowed')).toMatchObject({ 'result.code': '503', route: '/swallowed' });
    expect(await lineFor('/five-hundred')).toMatchObject({ 'result.code': '500', error: '' });
    t.tracer.printStats();
    await t.tracer.flush();
    const stats = readFileSync(join(t.dir, 'tracelog', 'koa-stat.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { 'stat.key': Record<string, string>; success: string; count: number });
    const of = (route: string) => stats.filter((s) => s['stat.key'].route === route);
    expect(of('/swallowed')).toEqual([
      expect.objectContaining({
        'stat.key': { 'local.app': 'orders', route: '/swallowed', method: 'GET' },
        count: 1,
        success: 'N',
      }),
    ]);
    expect(of('/five-hundred')).toEqual([expect.objectContaining({ count: 1, success: 'N' })]);
  });

  it('an error caught by a middleware that reports it (app.emit error) is recorded', async () => {
    const res = await fetch(base + '/reported');
    expect([res.status, await res.text()]).toEqual([502, 'reported']);
    expect(seenByAppError).toHaveLength(1);
    expect(await lineFor('/reported')).toMatchObject({ 'result.code': '502', error: 'caught and reported' });
    expect(await lineFor('/swallowed')).toMatchObject({ error: '' });
  });

  it('an error of a streamed body (after the middleware chain returned) is recorded', async () => {
    const status = await fetch(base + '/broken-stream').then(
      async (res) => (await res.arrayBuffer(), res.status),
      () => 'connection closed',
    );
    await until(() => t.spans.some((s) => String(s.tags['request.url']).endsWith('/broken-stream')), 'span');
    const line = await lineFor('/broken-stream');
    // koa 2 answers 500; koa 3 pipes with stream.pipeline, which destroys the response
    expect([status, line['result.code']]).toEqual(isKoa3 ? ['connection closed', '499'] : [500, '500']);
    expect(line.error).toBe('disk gone');
  });

  const bodies: [string, number][] = [
    ['/text', 6],
    ['/buffer', 1000],
    ['/json', 16],
    ['/stream', 8],
    ...(isKoa3
      ? ([
          ['/blob', 10],
          ['/web-stream', 10],
          ['/response', 15],
        ] as [string, number][])
      : []),
  ];
  it.each(bodies)('%s: resp.size.bytes is the body as sent (%i)', async (path, size) => {
    const res = await fetch(base + path);
    expect((await res.arrayBuffer()).byteLength).toBe(size);
    expect(await lineFor(path)).toMatchObject({ 'result.code': '200', 'resp.size.bytes': size });
  });

  it('HEAD: 0 response bytes, route of the GET route', async () => {
    const res = await fetch(base + '/users/7', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await lineFor('/users/7', 'HEAD')).toMatchObject({ 'resp.size.bytes': 0, route: '/users/:id' });
  });

  it('request bytes: content-length, and chunked uploads counted as received', async () => {
    const r1 = await fetch(base + '/upload', { method: 'POST', body: 'x'.repeat(300) });
    expect(await r1.text()).toBe('300');
    const chunked = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${base}/upload?chunked=1`, { method: 'POST' }, (res) => {
        let s = '';
        res.on('data', (c) => (s += c));
        res.on('end', () => resolve(s));
      });
      req.on('error', reject);
      req.write('a'.repeat(100));
      req.end('b'.repeat(23));
    });
    expect(chunked).toBe('123');
    const lines = (await t.digest(DIGEST)).filter((l) => l.route === '/upload');
    expect(lines.map((l) => l['req.size.bytes']).sort()).toEqual([123, 300]);
  });

  it('no router, or no route matched → UNMATCHED', async () => {
    expect(await (await fetch(base + '/no-router')).text()).toBe('middleware only');
    expect((await fetch(base + '/users')).status).toBe(404);
    expect(await lineFor('/no-router')).toMatchObject({ route: 'UNMATCHED', 'result.code': '200' });
    expect(await lineFor('/users')).toMatchObject({ route: 'UNMATCHED', 'result.code': '404' });
  });

  it('ignored paths get no span', async () => {
    expect(await (await fetch(base + '/health')).text()).toBe('ok');
    expect(await (await fetch(base + '/internal/metrics')).text()).toBe('m');
    await (await fetch(base + '/users/ignored-check')).text();
    const urls = (await t.digest(DIGEST)).map((l) => String(l['request.url']));
    expect(urls.some((u) => u.endsWith('/users/ignored-check'))).toBe(true);
    expect(urls.filter((u) => u.endsWith('/health') || u.includes('/internal/'))).toEqual([]);
  });

  it('a client that disconnects early → 499 with the route, and the span is closed', async () => {
    const before = activeHttpServerSpanCount();
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/hang/1' });
      req.on('error', () => resolve());
      onHang = () => req.destroy(); // the handler runs: the client gives up
      req.end();
    });
    await until(() => t.spans.some((s) => String(s.tags['request.url']).endsWith('/hang/1')), 'aborted span');
    expect(await lineFor('/hang/1')).toMatchObject({
      'result.code': '499',
      error: CLIENT_ABORTED_ERROR,
      route: '/hang/:id',
    });
    expect(activeHttpServerSpanCount()).toBeLessThanOrEqual(before);
  });
});
