import { request as httpRequest } from 'node:http';
import { sofaTracer } from '@sofa-tracer/express';
import { activeHttpServerSpanCount, type ReadableSpan } from '@sofa-tracer/core';
import { EXPRESS_VERSIONS, serverOf, type App } from './express-apps';
import { HTTP_SERVER_DIGEST_KEYS, listen, makeTracer, until, type TestTracer } from './helpers';

const DIGEST = 'express-digest.log';

describe.each(EXPRESS_VERSIONS)('%s', (_label, load) => {
  const express = load();
  let t: TestTracer;
  let base: string;
  let close: () => Promise<void>;
  const thrown = new Error('boom');
  const passed = new Error('passed to next');
  let seenByHandler: unknown[];

  beforeAll(async () => {
    t = makeTracer('orders');
    const app: App = express();
    app.use(
      sofaTracer({
        tracer: t.tracer,
        ignorePaths: ['/health', /^\/internal\//],
        customTags: (req) => ({ tenant: String(req.headers['x-tenant'] ?? '') }),
      }),
    );

    app.get('/users/:id', (_req: unknown, res: { send(b: string): void }) => res.send('user'));
    app.get('/health', (_req: unknown, res: { send(b: string): void }) => res.send('ok'));
    app.get('/internal/metrics', (_req: unknown, res: { send(b: string): void }) => res.send('m'));

    const users = express.Router();
    users.get('/:id', (_req: unknown, res: { json(b: unknown): void }) => res.json({ ok: true }));
    users.get('/', (_req: unknown, res: { send(b: string): void }) => res.send('list'));
    const v1 = express.Router();
    v1.use('/users', users);
    app.use('/api/v1', v1);

    // a parameterised mount: the template, not the tenant id, must reach the route
    const tenantRouter = express.Router({ mergeParams: true });
    tenantRouter.get('/orders/:orderId', (_req: unknown, res: { send(b: string): void }) =>
      res.send('order'),
    );
    app.use('/tenants/:tenantId', tenantRouter);

    // a sub-app
    const admin: App = express();
    admin.get('/stats/:kind', (_req: unknown, res: { send(b: string): void }) => res.send('stats'));
    app.use('/admin', admin);

    // a chain of middlewares sharing the router's `next` (one cached wrapper), the last one failing
    const pass = (_req: unknown, _res: unknown, next: () => void): void => next();
    const mwError = new Error('middleware failed');
    app.use('/mw', pass, pass, (_req: unknown, _res: unknown, next: (e: unknown) => void) => next(mwError));
    app.get('/throw', () => {
      throw thrown;
    });
    app.get('/next-error', (_req: unknown, _res: unknown, next: (e: unknown) => void) => next(passed));
    app.get('/teapot', () => {
      throw Object.assign(new Error('short and stout'), { status: 418 });
    });
    app.get('/async', async (_req: unknown, res: { send(b: string): void }) => {
      await new Promise((r) => setTimeout(r, 5));
      res.send(t.tracer.activeSpan()?.context().spanId ?? 'none');
    });
    app.get('/stream', (_req: unknown, res: { write(b: string): void; end(b?: string): void }) => {
      res.write('abc');
      setTimeout(() => {
        res.write('é'); // 2 bytes in UTF-8
        res.end('xyz');
      }, 5);
    });
    app.post('/upload', (req: NodeJS.ReadableStream, res: { send(b: string): void }) => {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => res.send(String(n)));
    });
    app.get('/hang', () => {
      /* never responds: the client gives up */
    });
    app.get('/search', (_req: unknown, res: { send(b: string): void }) => res.send('found'));
    app.use(
      (
        err: unknown,
        req: { path: string },
        res: { status(n: number): { send(b: string): void } },
        next: (e: unknown) => void,
      ) => {
        seenByHandler.push(err);
        if (req.path === '/next-error') return res.status(503).send('unavailable');
        return next(err);
      },
    );
    const server = serverOf(app);
    ({ url: base, close } = await listen(server));
  });

  beforeEach(() => {
    t.spans.length = 0;
    seenByHandler = [];
  });

  afterAll(async () => {
    await close();
    await t.close();
  });

  async function get(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    const res = await fetch(base + path, { headers });
    const body = await res.text();
    return { status: res.status, body };
  }

  async function spansAfter(n: number): Promise<ReadableSpan[]> {
    await until(() => t.spans.length >= n, `${n} spans`);
    return t.spans;
  }

  it('writes one digest line per request with Java Spring MVC fields in order, plus the route', async () => {
    const { status } = await get('/users/42?token=secret');
    expect(status).toBe(200);
    const [span] = await spansAfter(1);
    const lines = await t.rawDigest(DIGEST);
    const line = lines.find(
      (l) => l.includes(`"spanId":"${span!.context().spanId}"`) && l.includes(span!.context().traceId),
    )!;
    const obj = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(obj)).toEqual(HTTP_SERVER_DIGEST_KEYS);
    expect(obj).toMatchObject({
      'local.app': 'orders',
      spanId: '0',
      'span.kind': 'server',
      'result.code': '200',
      'request.url': `${base}/users/42`, // query string dropped by default
      method: 'GET',
      'req.size.bytes': 0,
      'resp.size.bytes': 4,
      error: '',
      route: '/users/:id',
    });
    expect(obj['time.cost.milliseconds']).toMatch(/^\d+ms$/);
    expect(span!.tags.tenant).toBe('');
  });

  it.each([
    ['/api/v1/users/7', '/api/v1/users/:id'],
    ['/api/v1/users', '/api/v1/users'],
    ['/api/v1/users/', '/api/v1/users'],
    ['/tenants/acme/orders/99', '/tenants/:tenantId/orders/:orderId'],
    ['/admin/stats/cpu', '/admin/stats/:kind'],
    ['/nope/1', 'UNMATCHED'],
  ])('route template of %s is %s', async (path, route) => {
    await get(path);
    const [span] = await spansAfter(1);
    expect(span!.tags.route).toBe(route);
    expect(span!.operationName).toBe('GET ' + route);
  });

  it('collapses unmatched paths into one stat key', async () => {
    for (const p of ['/a', '/b/c', '/d?x=1', '/scanner/wp-login.php']) await get(p);
    await spansAfter(4);
    t.tracer.printStats();
    await t.tracer.flush();
    const { readFileSync } = await import('node:fs');
    const stat = readFileSync(`${t.dir}/tracelog/express-stat.log`, 'utf8')
      .split(/\r?\n/)
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { 'stat.key': Record<string, string>; count: number; success: string });
    const unmatched = stat.filter((s) => s['stat.key'].route === 'UNMATCHED');
    expect(unmatched).toHaveLength(1);
    expect(unmatched[0]!['stat.key']).toEqual({ 'local.app': 'orders', route: 'UNMATCHED', method: 'GET' });
    expect(unmatched[0]!.count).toBeGreaterThanOrEqual(4);
    expect(unmatched[0]!.success).toBe('N');
  });

  it('records a thrown error with status 500, and the error handler gets the same object', async () => {
    const { status } = await get('/throw');
    expect(status).toBe(500);
    const [span] = await spansAfter(1);
    expect(seenByHandler).toEqual([thrown]);
    expect(seenByHandler[0]).toBe(thrown);
    expect(span!.resultCode).toBe('500');
    expect(span!.error).toBe(thrown);
    expect(span!.tags.error).toBe('boom');
    expect(span!.tags.route).toBe('/throw');
  });

  it('records an error from a middleware after others that passed', async () => {
    const { status } = await get('/mw/x');
    expect(status).toBe(500);
    const [span] = await spansAfter(1);
    expect(span!.tags).toMatchObject({ error: 'middleware failed', route: 'UNMATCHED' });
    expect(seenByHandler).toHaveLength(1);
  });

  it('records next(err) with the status the app error handler chose', async () => {
    const { status } = await get('/next-error');
    expect(status).toBe(503);
    const [span] = await spansAfter(1);
    expect(seenByHandler[0]).toBe(passed);
    expect(span!.resultCode).toBe('503');
    expect(span!.tags.error).toBe('passed to next');
  });

  it('uses the status express derives from err.status', async () => {
    const { status } = await get('/teapot');
    expect(status).toBe(418);
    const [span] = await spansAfter(1);
    expect(span!.resultCode).toBe('418');
    expect(span!.tags.error).toBe('short and stout');
  });

  it('keeps the server span current in async handlers', async () => {
    const { body } = await get('/async', {
      'X-B3-TraceId': '0a0fe9271567477985327100211176',
      'X-B3-SpanId': '0.1',
    });
    const [span] = await spansAfter(1);
    expect(body).toBe('0.1.1');
    expect(span!.context().spanId).toBe('0.1.1');
  });

  it('counts streamed (chunked) response bytes and chunked request bytes', async () => {
    const res = await fetch(base + '/stream');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(await res.text()).toBe('abcéxyz');
    const [span] = await spansAfter(1);
    expect(span!.tags['resp.size.bytes']).toBe(8);

    t.spans.length = 0;
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(base + '/upload', { method: 'POST' }, (r) => {
        let s = '';
        r.on('data', (c) => (s += c));
        r.on('end', () => resolve(s));
      });
      req.on('error', reject);
      req.write('12345');
      req.write('678');
      req.end();
    });
    expect(body).toBe('8');
    const [up] = await spansAfter(1);
    expect(up!.tags['req.size.bytes']).toBe(8);
    expect(up!.tags['resp.size.bytes']).toBe(1);
  });

  it('takes req.size.bytes from content-length', async () => {
    const res = await fetch(base + '/upload', { method: 'POST', body: 'x'.repeat(1000) });
    expect(await res.text()).toBe('1000');
    const [span] = await spansAfter(1);
    expect(span!.tags['req.size.bytes']).toBe(1000);
  });

  it('finishes with 499 when the client disconnects before the response', async () => {
    const before = t.spans.length;
    await new Promise<void>((resolve) => {
      const req = httpRequest(base + '/hang');
      req.on('error', () => resolve());
      req.end();
      setTimeout(() => req.destroy(), 30);
    });
    await until(() => t.spans.length > before, 'aborted span');
    const span = t.spans[before]!;
    expect(span.resultCode).toBe('499');
    expect(span.tags.error).toBe('client disconnected before the response was complete');
    expect(span.tags.route).toBe('/hang');
  });

  it('gives ignored paths no span at all', async () => {
    await get('/health');
    await get('/internal/metrics');
    await get('/users/1');
    const spans = await spansAfter(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(spans.map((s) => s.tags.route)).toEqual(['/users/:id']);
  });

  it('leaves no span open once requests are done', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => get(i % 2 ? '/users/' + i : '/throw')));
    await spansAfter(50);
    expect(activeHttpServerSpanCount()).toBe(0);
  });
});
