import { sofaTracer } from '@sofa-tracer/express';
import { currentSpan } from '@sofa-tracer/core';
import { EXPRESS_VERSIONS, serverOf, type App, type ExpressLike } from './express-apps';
import { listen, makeTracer, until, type TestTracer } from './helpers';

// Mounted first at `/`, the middleware starts spans in `app.handle` and its own layer is skipped
// (app-handle.ts); mounted anywhere else it stays an ordinary layer. What the application sees
// must not depend on which: the same spans, the same current span in each middleware.

type Req = { url: string };
type Res = { send(b: string): void; status(n: number): Res };
type Next = (err?: unknown) => void;

async function get(url: string): Promise<number> {
  const r = await fetch(url);
  await r.text();
  return r.status;
}

describe.each(EXPRESS_VERSIONS)('%s: where sofaTracer() is mounted', (_label, load) => {
  const express: ExpressLike = load();
  let t: TestTracer;

  beforeEach(() => {
    t = makeTracer('mount');
  });
  afterEach(async () => {
    await t.close();
  });

  let open: { close: () => Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.map((s) => s.close()));
    open = [];
  });

  async function serve(app: App): Promise<{ url: string; close: () => Promise<void> }> {
    const s = await listen(serverOf(app));
    let closed: Promise<void> | undefined;
    const once = { url: s.url, close: () => (closed ??= s.close()) };
    open.push(once);
    return once;
  }

  it('first: every request of many is traced once, with the span current in later middleware', async () => {
    const app = express();
    const seen: (string | undefined)[] = [];
    app.use(sofaTracer({ tracer: t.tracer }));
    app.use((_req: Req, _res: Res, next: Next) => {
      seen.push(currentSpan()?.context().traceId);
      next();
    });
    app.get('/users/:id', (_req: Req, res: Res) => res.send('u'));
    const s = await serve(app);
    for (let i = 0; i < 5; i++) expect(await get(`${s.url}/users/${i}`)).toBe(200);
    expect(await get(`${s.url}/nope`)).toBe(404);
    await until(() => t.spans.length === 6);
    expect(t.spans.map((sp) => sp.tags.route)).toEqual([
      '/users/:id',
      '/users/:id',
      '/users/:id',
      '/users/:id',
      '/users/:id',
      'UNMATCHED',
    ]);
    expect(seen).toEqual(t.spans.map((sp) => sp.context().traceId));
    await s.close();
  });

  it('after another middleware: that one runs outside the span, and a response it ends is not traced', async () => {
    const app = express();
    const before: (string | undefined)[] = [];
    app.use((req: Req, res: Res, next: Next) => {
      before.push(currentSpan()?.context().traceId);
      if (req.url === '/health') return res.send('ok');
      next();
    });
    app.use(sofaTracer({ tracer: t.tracer }));
    app.get('/a', (_req: Req, res: Res) => res.send('a'));
    const s = await serve(app);
    expect(await get(`${s.url}/a`)).toBe(200);
    expect(await get(`${s.url}/health`)).toBe(200);
    expect(await get(`${s.url}/a`)).toBe(200);
    await until(() => t.spans.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(t.spans.map((sp) => sp.tags.route)).toEqual(['/a', '/a']);
    expect(before).toEqual([undefined, undefined, undefined]);
    await s.close();
  });

  it('under a path: only requests below it are traced', async () => {
    const app = express();
    app.use('/api', sofaTracer({ tracer: t.tracer }));
    app.get('/api/x', (_req: Req, res: Res) => res.send('x'));
    app.get('/other', (_req: Req, res: Res) => res.send('o'));
    const s = await serve(app);
    expect(await get(`${s.url}/other`)).toBe(200);
    expect(await get(`${s.url}/api/x`)).toBe(200);
    expect(await get(`${s.url}/other`)).toBe(200);
    expect(await get(`${s.url}/api/x`)).toBe(200);
    await until(() => t.spans.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(t.spans.map((sp) => sp.tags.route)).toEqual(['/api/x', '/api/x']);
    await s.close();
  });

  it('first, with errors from a route handler: next(err) and a throw are recorded and passed on unchanged', async () => {
    const app = express();
    const boom = new Error('boom');
    const handled: unknown[] = [];
    app.use(sofaTracer({ tracer: t.tracer }));
    app.get('/next', (_req: Req, _res: Res, next: Next) => next(boom));
    app.get(
      '/throw',
      (_req: Req, _res: Res, next: Next) => next(),
      () => {
        throw boom;
      },
    );
    app.use((err: unknown, _req: Req, res: Res, _next: Next) => {
      handled.push(err);
      res.status(502).send('bad');
    });
    const s = await serve(app);
    expect(await get(`${s.url}/next`)).toBe(502);
    expect(await get(`${s.url}/throw`)).toBe(502);
    await until(() => t.spans.length === 2);
    expect(handled).toEqual([boom, boom]);
    expect(t.spans.map((sp) => [sp.tags.route, sp.resultCode, sp.error])).toEqual([
      ['/next', '502', boom],
      ['/throw', '502', boom],
    ]);
    await s.close();
  });
});
