import { createHttpServerLogType, httpServerTracingFor } from '@sofa-tracer/core';
import sofaTracer, { installFastifyTracing, type FastifyWiring } from '@sofa-tracer/fastify';
import { FASTIFY_VERSIONS, start } from './fastify-apps';
import { makeTracer, until, type TestTracer } from './helpers';

/** The reusable wiring, as the Nest plugin uses it on Nest's fastify adapter. */
describe.each(FASTIFY_VERSIONS)('%s: installFastifyTracing', (_label, load) => {
  const Fastify = load();
  let t: TestTracer;

  beforeEach(() => {
    t = makeTracer('wired');
  });
  afterEach(async () => {
    await t.close();
  });

  it('uses the caller’s log type, routeOf and onSpan; a second install and the plugin add no span', async () => {
    const NEST = createHttpServerLogType('nest');
    const tracing = httpServerTracingFor({ tracer: t.tracer }, NEST);
    const app = Fastify();
    const seen: string[] = [];
    const wiring: FastifyWiring = {
      routeOf: (req) => (req.url.startsWith('/cats') ? '/v1/cats/:id' : undefined),
      onSpan: (req, st) => {
        seen.push(req.url);
        if (req.url.startsWith('/cats')) st.span.setTag('handler', 'CatsController.findOne');
      },
    };
    expect(installFastifyTracing(app, tracing, wiring)).toBe(true);
    expect(installFastifyTracing(app, tracing, wiring)).toBe(false);
    await app.register(sofaTracer, { tracer: t.tracer }); // same instance: a no-op
    app.register(async (child) => {
      // a child instance of a wired one is covered already
      expect(installFastifyTracing(child, tracing)).toBe(false);
      child.get('/cats/:id', async () => 'cat');
      child.get('/dogs/:id', async () => 'dog');
    });
    const { url } = await start(app);
    await fetch(url + '/cats/1').then((r) => r.text());
    await fetch(url + '/dogs/2').then((r) => r.text());
    await until(() => t.spans.length >= 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(t.spans).toHaveLength(2);
    expect(t.spans.map((s) => [s.logType, s.tags.route, s.tags.handler])).toEqual([
      ['nest', '/v1/cats/:id', 'CatsController.findOne'],
      ['nest', '/dogs/:id', undefined],
    ]);
    expect(seen).toEqual(['/cats/1', '/dogs/2']);
    expect(await t.digest('fastify-digest.log')).toEqual([]);
    expect((await t.digest('nest-digest.log')).map((l) => l.route)).toEqual(['/v1/cats/:id', '/dogs/:id']);
    await app.close();
  });

  it('a throwing routeOf/onSpan is self-logged; the request and its span go on', async () => {
    const tracing = httpServerTracingFor({ tracer: t.tracer }, createHttpServerLogType('fastify'));
    const app = Fastify();
    installFastifyTracing(app, tracing, {
      routeOf: () => {
        throw new Error('routeOf bug');
      },
      onSpan: () => {
        throw new Error('onSpan bug');
      },
    });
    app.get('/x/:id', async () => 'x');
    const { url } = await start(app);
    const res = await fetch(url + '/x/1');
    expect(await res.text()).toBe('x');
    await until(() => t.spans.length >= 1);
    expect(t.spans[0]!.tags.route).toBe('/x/:id');
    await app.close();
  });

  it('refuses, without throwing, an instance that has started or serves HTTP/2', async () => {
    const tracing = httpServerTracingFor({ tracer: t.tracer }, createHttpServerLogType('fastify'));
    const started = Fastify();
    started.get('/up', async () => 'up');
    const { url } = await start(started);
    expect(installFastifyTracing(started, tracing)).toBe(false);
    expect(await (await fetch(url + '/up')).text()).toBe('up');
    const h2 = Fastify({ http2: true } as Parameters<typeof Fastify>[0]);
    expect(installFastifyTracing(h2, tracing)).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(t.spans).toHaveLength(0);
    await started.close();
    await h2.close();
  });

  it('registering the plugin twice gives one span per request', async () => {
    const app = Fastify();
    await app.register(sofaTracer, { tracer: t.tracer });
    await app.register(sofaTracer, { tracer: t.tracer });
    app.get('/once', async () => 'once');
    const { url } = await start(app);
    await fetch(url + '/once').then((r) => r.text());
    await until(() => t.spans.length >= 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(t.spans).toHaveLength(1);
    await app.close();
  });

  it('invalid tracer options make register() fail at start-up, naming the option', async () => {
    const app = Fastify();
    await expect(app.register(sofaTracer, { appName: 'x', samplerPercentage: 200 })).rejects.toThrow(
      /samplerPercentage/,
    );
    await app.close().catch(() => undefined);
  });
});
