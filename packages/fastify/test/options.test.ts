import sofaTracer from '@sofa-tracer/fastify';
import { FASTIFY_VERSIONS, start } from './fastify-apps';
import { makeTracer, until, type TestTracer } from './helpers';

/** The express plugin's options, passed through to core's HttpServerTracing. */
describe.each(FASTIFY_VERSIONS)('%s options', (_label, load) => {
  const Fastify = load();
  let t: TestTracer;

  beforeEach(() => {
    t = makeTracer('opts');
  });
  afterEach(async () => {
    await t.close();
  });

  it('redactQuery, extractFormats, ignorePaths as RegExp, throwing customTags', async () => {
    const app = Fastify();
    await app.register(sofaTracer, {
      tracer: t.tracer,
      redactQuery: ['token'],
      extractFormats: ['w3c'],
      ignorePaths: [/^\/internal\//],
      customTags: () => {
        throw new Error('customTags bug');
      },
    });
    app.get('/a', async () => 'a');
    app.get('/internal/metrics', async () => 'm');
    const { url } = await start(app);
    const res = await fetch(url + '/a?x=1&token=abc', {
      headers: {
        'X-B3-TraceId': '0a0fe9271567477985327100211176',
        'X-B3-SpanId': '0.1',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
    });
    expect(await res.text()).toBe('a');
    await fetch(url + '/internal/metrics').then((r) => r.text());
    await fetch(url + '/a', { headers: { 'X-B3-TraceId': '0a0fe9271567477985327100211176' } }).then((r) =>
      r.text(),
    );
    await until(() => t.spans.length >= 2);
    await new Promise((r) => setTimeout(r, 20));
    // W3C continued, SOFA B3 ignored (a new trace), the query masked, /internal/ not traced
    expect(t.spans.map((s) => [s.tags['request.url'], s.context().traceId])).toEqual([
      [`${url}/a?x=1&token=***`, '4bf92f3577b34da6a3ce929d0e0e4736'],
      [`${url}/a`, expect.not.stringMatching(/^0a0fe9271567477985327100211176$/)],
    ]);
    await app.close();
  });
});
