import { sofaTracer } from '@sofa-tracer/koa';
import { enableLookout } from '@sofa-tracer/lookout';
import { KOA_VERSIONS, ROUTER_VERSIONS } from './koa-apps';
import { listen, makeTracer, serverOf, until } from './helpers';

type Ctx = Record<string, any>;

/**
 * RED metrics with no extra code: @sofa-tracer/lookout turns the koa server spans into
 * `http_server_*` series keyed by the route template, scraped from the same koa app.
 */
describe.each(KOA_VERSIONS)('%s: Lookout metrics', (_label, loadKoa) => {
  it('counts requests and errors per route template, never per raw path', async () => {
    const Koa = loadKoa();
    const Router = ROUTER_VERSIONS[2]![1]();
    const t = makeTracer('shop');
    const lookout = enableLookout({ tracer: t.tracer, port: false, runtimeMetrics: false });
    const app = new Koa();
    app.silent = true;
    app.use(sofaTracer({ tracer: t.tracer, ignorePaths: ['/metrics'] }));
    const r = new Router();
    r.get('/metrics', lookout.koaMiddleware);
    r.get('/users/:id', (ctx: Ctx) => (ctx.body = 'u'));
    r.get('/fail', () => {
      throw new Error('nope');
    });
    app.use(r.routes());
    const s = await listen(serverOf(app));
    try {
      for (const p of ['/users/1', '/users/2', '/users/3', '/fail', '/nowhere'])
        await (await fetch(s.url + p)).text();
      await until(() => t.spans.length === 5, 'five spans');
      const text = await (await fetch(s.url + '/metrics')).text();
      const series = (name: string, route: string, code: string) =>
        new RegExp(
          `^${name}\\{[^}]*route="${route.replace(/[/:]/g, '\\$&')}"[^}]*status_code="${code}"[^}]*\\} (\\d+)`,
          'm',
        ).exec(text)?.[1];
      expect(series('http_server_requests_total', '/users/:id', '200')).toBe('3');
      expect(series('http_server_requests_total', '/fail', '500')).toBe('1');
      expect(series('http_server_errors_total', '/fail', '500')).toBe('1');
      expect(series('http_server_requests_total', 'UNMATCHED', '404')).toBe('1');
      expect(text).not.toMatch(/route="\/users\/1"/);
      expect(text).not.toMatch(/route="\/metrics"/);
    } finally {
      await s.close();
      await lookout.close();
      await t.close();
    }
  });
});
