import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import {
  createKoaServerTracing,
  KOA_LOG_TYPE,
  koaServerMiddleware,
  sofaTracer,
  type KoaContextLike,
} from '@sofa-tracer/koa';
import { tryGetTracer, type HttpServerSpan } from '@sofa-tracer/core';
import { KOA_VERSIONS, ROUTER_VERSIONS, type KoaApp } from './koa-apps';
import { listen, makeTracer, serverOf, until, type TestTracer } from './helpers';

type Ctx = Record<string, any>;

async function get(app: KoaApp, ...paths: string[]): Promise<string[]> {
  const s = await listen(serverOf(app));
  const out: string[] = [];
  for (const p of paths) out.push(await (await fetch(s.url + p)).text());
  await s.close();
  return out;
}

describe.each(KOA_VERSIONS)('%s options and wiring', (_label, loadKoa) => {
  const KoaClass = loadKoa();
  let t: TestTracer;

  beforeEach(() => {
    t = makeTracer('opts');
  });
  afterEach(async () => {
    await t.close();
  });

  it('redactQuery: false keeps the query', async () => {
    const app = new KoaClass();
    app.use(sofaTracer({ tracer: t.tracer, redactQuery: false }));
    app.use((ctx: Ctx) => (ctx.body = 'a'));
    await get(app, '/a?x=1&token=abc');
    await until(() => t.spans.length === 1);
    expect(String(t.spans[0]!.tags['request.url'])).toMatch(/\/a\?x=1&token=abc$/);
  });

  it('extractFormats: only the accepted header formats continue a trace', async () => {
    const app = new KoaClass();
    app.use(sofaTracer({ tracer: t.tracer, extractFormats: ['w3c'] }));
    app.use((ctx: Ctx) => (ctx.body = 'x'));
    const s = await listen(serverOf(app));
    await fetch(s.url, {
      headers: { 'X-B3-TraceId': '0a0fe9271567477985327100211176', 'X-B3-SpanId': '0.1' },
    }).then((r) => r.text());
    await fetch(s.url, {
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    }).then((r) => r.text());
    await s.close();
    await until(() => t.spans.length === 2);
    expect(t.spans[0]!.context().traceId).not.toBe('0a0fe9271567477985327100211176');
    expect(t.spans[0]!.context().spanId).toBe('0');
    expect(t.spans[1]!.context().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('a customTags function that throws is contained; mounting twice makes one span', async () => {
    const app = new KoaClass();
    const mw = sofaTracer({
      tracer: t.tracer,
      customTags: () => {
        throw new Error('bad tags');
      },
    });
    app.use(mw);
    app.use(mw);
    app.use((ctx: Ctx) => (ctx.body = 'x'));
    expect(await get(app, '/x')).toEqual(['x']);
    await until(() => t.spans.length >= 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(t.spans).toHaveLength(1);
    expect(t.spans[0]!.resultCode).toBe('200');
  });

  it('koaServerMiddleware: routeOf overrides the route source, onSpan sees the started span', async () => {
    t.tracer.registerLogType({
      ...KOA_LOG_TYPE,
      name: 'shop',
      digestFile: 'shop-digest.log',
      statFile: 'shop-stat.log',
    });
    const tracing = createKoaServerTracing(t.tracer, { logType: 'shop' });
    const started: [string, string][] = [];
    const app = new KoaClass();
    app.use(
      koaServerMiddleware(tracing, {
        routeOf: (ctx: KoaContextLike) => (ctx as Ctx).state.template as string | undefined,
        onSpan: (ctx: KoaContextLike, st: HttpServerSpan) => {
          (ctx as Ctx).state.traceId = st.span.context().traceId;
          started.push([st.span.context().spanId, String(t.tracer.activeSpan()?.context().spanId)]);
        },
      }),
    );
    app.use((ctx: Ctx) => {
      ctx.state.template = '/custom/:x';
      ctx.body = ctx.state.traceId;
    });
    const [traceId] = await get(app, '/custom/1');
    const lines = await t.digest('shop-digest.log');
    expect(lines).toEqual([expect.objectContaining({ traceId, route: '/custom/:x', 'result.code': '200' })]);
    // onSpan runs before the span is made current for the chain
    expect(started).toEqual([['0', 'undefined']]);
  });

  it('throwing wiring hooks are contained: the request goes on, the route is UNMATCHED', async () => {
    const tracing = createKoaServerTracing(t.tracer, { logType: KOA_LOG_TYPE.name });
    t.tracer.registerLogType(KOA_LOG_TYPE);
    const app = new KoaClass();
    app.use(
      koaServerMiddleware(tracing, {
        routeOf: () => {
          throw new Error('no route for you');
        },
        onSpan: () => {
          throw new Error('no span for you');
        },
      }),
    );
    app.use((ctx: Ctx) => (ctx.body = 'fine'));
    expect(await get(app, '/y')).toEqual(['fine']);
    expect(await t.digest('koa-digest.log')).toEqual([
      expect.objectContaining({ route: 'UNMATCHED', 'result.code': '200' }),
    ]);
  });

  it('RegExp routes (@koa/router 12) are written as /source/', async () => {
    const Router = ROUTER_VERSIONS[0]![1]();
    const app = new KoaClass();
    app.use(sofaTracer({ tracer: t.tracer }));
    const r = new Router();
    r.get(/^\/re\/\d+$/, (ctx: Ctx) => (ctx.body = 're'));
    app.use(r.routes());
    expect(await get(app, '/re/77')).toEqual(['re']);
    await until(() => t.spans.length === 1);
    expect(t.spans[0]!.tags.route).toBe('/^\\/re\\/\\d+$/');
  });
});

describe('global tracer and configuration', () => {
  it('sofaTracer({ appName, logDir }) initialises the global tracer when none runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sofa-koa-global-'));
    expect(tryGetTracer()).toBeUndefined();
    // typed with koa's own types: the middleware fits app.use as it is
    const app = new Koa();
    app.use(sofaTracer({ appName: 'global-koa', logDir: dir }));
    app.use((ctx) => {
      ctx.body = 'hi';
    });
    expect(await get(app as unknown as KoaApp, '/hello')).toEqual(['hi']);
    const tracer = tryGetTracer()!;
    expect(tracer.appName).toBe('global-koa');
    await new Promise((r) => setTimeout(r, 10));
    await tracer.flush();
    const line = JSON.parse(readFileSync(join(dir, 'tracelog', 'koa-digest.log'), 'utf8').split('\n')[0]!);
    expect(line).toMatchObject({ 'local.app': 'global-koa', route: 'UNMATCHED', 'result.code': '200' });
    await tracer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an invalid tracer option throws at start-up, naming the option', () => {
    expect(() => sofaTracer({ appName: 'x', samplerPercentage: 500 })).toThrow(/samplerPercentage/);
  });
});
