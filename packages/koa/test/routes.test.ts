import { sofaTracer } from '@sofa-tracer/koa';
import { MATRIX } from './koa-apps';
import { listen, makeTracer, serverOf, type TestTracer } from './helpers';

/**
 * The route template on every koa major × router major: nested routers, prefixes, parameterised
 * mounts, `router.use` middlewares before and after the routes, routes registered after
 * `app.use(router.routes())`, several routers in one app. Asserted on the digest lines on disk.
 */
describe.each(MATRIX)('%s + %s: route templates', (_k, _r, loadKoa, loadRouter) => {
  const Koa = loadKoa();
  const Router = loadRouter();
  let t: TestTracer;
  let base: string;
  let close: () => Promise<void>;
  const routerPathsSeen: unknown[] = [];

  beforeAll(async () => {
    t = makeTracer('orders');
    const app = new Koa();
    app.silent = true;
    app.use(sofaTracer({ tracer: t.tracer }));

    const root = new Router();
    // a router-level middleware before the routes (matches every path)
    root.use(async (_ctx: unknown, next: () => Promise<unknown>) => {
      await next();
    });
    root.get('/users/me', (ctx: { body: unknown }) => {
      ctx.body = 'me';
    });
    root.get('/users/:id', (ctx: { body: unknown; routerPath?: unknown }) => {
      routerPathsSeen.push(ctx.routerPath);
      ctx.body = 'user';
    });
    root.get('/then-next', async (ctx: { body: unknown }, next: () => Promise<unknown>) => {
      ctx.body = 'went on';
      await next();
    });
    root.post('/users', (ctx: { status: number }) => {
      ctx.status = 201;
    });

    // nested: prefix router → mounted child router → grandchild with params
    const v1 = new Router({ prefix: '/api/v1' });
    const users = new Router();
    users.get('/:id', (ctx: { body: unknown }) => {
      ctx.body = { ok: true };
    });
    users.get('/:id/orders/:orderId', (ctx: { body: unknown }) => {
      ctx.body = 'order';
    });
    v1.use('/users', users.routes());

    // a parameterised mount
    const shop = new Router();
    shop.get('/items/:itemId', (ctx: { body: unknown }) => {
      ctx.body = 'item';
    });
    root.use('/shops/:shopId', shop.routes());

    // a prefix with a parameter
    const tenants = new Router({ prefix: '/tenants/:tid' });
    tenants.get('/reports/:rid', (ctx: { body: unknown }) => {
      ctx.body = 'report';
    });

    // a router-level middleware AFTER the routes: must not become the route
    root.use(async (ctx: { body: unknown }, next: () => Promise<unknown>) => {
      await next();
    });

    app.use(root.routes());
    app.use(root.allowedMethods());
    app.use(v1.routes());
    app.use(tenants.routes());
    // registered after app.use(router.routes())
    root.get('/late/:x', (ctx: { body: unknown }) => {
      ctx.body = 'late';
    });

    const s = await listen(serverOf(app));
    base = s.url;
    close = s.close;
  });

  afterAll(async () => {
    await close();
    await t.close();
  });

  const cases: [string, string, number, string][] = [
    ['GET', '/users/42', 200, '/users/:id'],
    ['GET', '/users/me', 200, '/users/me'],
    ['HEAD', '/users/43', 200, '/users/:id'],
    ['POST', '/users', 201, '/users'],
    ['GET', '/then-next', 200, '/then-next'],
    ['GET', '/api/v1/users/7', 200, '/api/v1/users/:id'],
    ['GET', '/api/v1/users/7/orders/9', 200, '/api/v1/users/:id/orders/:orderId'],
    ['GET', '/shops/s1/items/i2', 200, '/shops/:shopId/items/:itemId'],
    ['GET', '/tenants/acme/reports/r1', 200, '/tenants/:tid/reports/:rid'],
    ['GET', '/late/1', 200, '/late/:x'],
    ['GET', '/nowhere/at/all', 404, 'UNMATCHED'],
    ['DELETE', '/users/42', 405, 'UNMATCHED'],
  ];

  it('writes the template of the route that ran, never the raw path or a middleware path', async () => {
    for (const [method, path, status] of cases) {
      const res = await fetch(base + path, { method });
      await res.arrayBuffer();
      expect([method, path, res.status]).toEqual([method, path, status]);
    }
    const lines = await t.digest('koa-digest.log');
    expect(
      lines.map((l) => [l.method, String(l['request.url']).replace(base, ''), l['result.code'], l.route]),
    ).toEqual(cases.map(([m, p, s, r]) => [m, p, String(s), r]));
    // the router still sees its own routerPath (the tracer never writes it)
    expect(routerPathsSeen).toEqual(['/users/:id', '/users/:id']);
  });
});
