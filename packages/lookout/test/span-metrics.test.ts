import { LABEL_OVERFLOW_METRIC, Registry, SpanMetricsListener } from '@sofa-tracer/lookout';
import { family, parseExposition, samplesOf, valueOf } from './helpers/prom-parse';
import { makeSpan } from './helpers/spans';

function setup(options: ConstructorParameters<typeof SpanMetricsListener>[1] = {}): {
  registry: Registry;
  listener: SpanMetricsListener;
} {
  const registry = new Registry({ commonTags: { app: 'shop' }, logger: { warn() {} } });
  return { registry, listener: new SpanMetricsListener(registry, options) };
}

describe('SpanMetricsListener', () => {
  it('HTTP server spans → requests, duration histogram (seconds) and errors by app/method/route/status', async () => {
    const { registry, listener } = setup();
    listener.onSpanReport(makeSpan({ durationMs: 12 }));
    listener.onSpanReport(makeSpan({ durationMs: 30 }));
    listener.onSpanReport(makeSpan({ resultCode: '500', durationMs: 700 }));
    listener.onSpanReport(makeSpan({ resultCode: '200', error: new Error('x'), durationMs: 1 }));
    listener.onSpanReport(
      makeSpan({
        resultCode: '404',
        tags: { method: 'POST', route: 'UNMATCHED', 'request.url': 'http://x/nope' },
      }),
    );
    const text = await registry.prometheus.metrics();
    const ok = { app: 'shop', method: 'GET', route: '/users/:id', status_code: '200' };
    expect(family(parseExposition(text), 'http_server_requests_total').type).toBe('COUNTER');
    expect(valueOf(text, 'http_server_requests_total', ok)).toBe(3);
    expect(valueOf(text, 'http_server_requests_total', { ...ok, status_code: '500' })).toBe(1);
    expect(
      valueOf(text, 'http_server_requests_total', { method: 'POST', route: 'UNMATCHED', status_code: '404' }),
    ).toBe(1);
    expect(valueOf(text, 'http_server_request_duration_seconds_count', ok)).toBe(3);
    expect(valueOf(text, 'http_server_request_duration_seconds_sum', ok)).toBeCloseTo(0.043, 6);
    expect(valueOf(text, 'http_server_request_duration_seconds_bucket', { ...ok, le: '0.01' })).toBe(1);
    expect(valueOf(text, 'http_server_request_duration_seconds_bucket', { ...ok, le: '0.025' })).toBe(2);
    expect(valueOf(text, 'http_server_request_duration_seconds_bucket', { ...ok, le: '0.05' })).toBe(3);
    // errors: the 500 and the 200-with-error; the 404 is the client's fault on a server
    expect(valueOf(text, 'http_server_errors_total', { ...ok, status_code: '500' })).toBe(1);
    expect(valueOf(text, 'http_server_errors_total', ok)).toBe(1);
    expect(samplesOf(text, 'http_server_errors_total', { status_code: '404' })).toEqual([]);
  });

  it('a server span without a route tag counts as UNMATCHED, never under its raw path', async () => {
    const { registry, listener } = setup();
    listener.onSpanReport(makeSpan({ tags: { method: 'GET', 'request.url': 'http://x/scan/1?a' } }));
    listener.onSpanReport(makeSpan({ tags: { method: 'GET', route: '', 'request.url': 'http://x/scan/2' } }));
    expect(
      valueOf(await registry.prometheus.metrics(), 'http_server_requests_total', { route: 'UNMATCHED' }),
    ).toBe(2);
  });

  it('status class option', async () => {
    const { registry, listener } = setup({ statusLabel: 'class' });
    for (const code of ['200', '201', '503', '']) listener.onSpanReport(makeSpan({ resultCode: code }));
    const text = await registry.prometheus.metrics();
    expect(valueOf(text, 'http_server_requests_total', { status_code: '2xx' })).toBe(2);
    expect(valueOf(text, 'http_server_requests_total', { status_code: '5xx' })).toBe(1);
    expect(valueOf(text, 'http_server_requests_total', { status_code: 'none' })).toBe(1);
    expect(valueOf(text, 'http_server_errors_total', { status_code: '5xx' })).toBe(1);
  });

  it('HTTP client spans → http_client_* by method, target host, status; 4xx, timeout and network errors are errors', async () => {
    const { registry, listener } = setup();
    const client = (resultCode: string, host = 'api.example.com:443', error?: unknown) =>
      makeSpan({
        kind: 'client',
        logType: 'httpclient',
        resultCode,
        error,
        tags: { method: 'GET', 'request.url': 'https://api.example.com/x', 'remote.host': host },
      });
    listener.onSpanReport(client('200'));
    listener.onSpanReport(client('404'));
    listener.onSpanReport(client('03', 'slow:80', new Error('timeout')));
    listener.onSpanReport(client('99', 'down:80'));
    const text = await registry.prometheus.metrics();
    const base = { app: 'shop', method: 'GET', target_host: 'api.example.com:443' };
    expect(valueOf(text, 'http_client_requests_total', { ...base, status_code: '200' })).toBe(1);
    expect(valueOf(text, 'http_client_errors_total', { ...base, status_code: '404' })).toBe(1);
    expect(samplesOf(text, 'http_client_errors_total', { status_code: '200' })).toEqual([]);
    expect(valueOf(text, 'http_client_errors_total', { target_host: 'slow:80', status_code: '03' })).toBe(1);
    expect(valueOf(text, 'http_client_errors_total', { target_host: 'down:80', status_code: '99' })).toBe(1);
    expect(valueOf(text, 'http_client_request_duration_seconds_count', { ...base, status_code: '404' })).toBe(
      1,
    );
    expect(samplesOf(text, 'http_server_requests_total')).toEqual([]);
  });

  it('other spans → tracer_span_* keyed by log type, kind, operation and result code', async () => {
    const { registry, listener } = setup();
    const kafka = (resultCode: string, error?: unknown) =>
      makeSpan({
        kind: 'producer',
        logType: 'kafka-producer',
        operationName: 'send orders',
        resultCode,
        error,
        durationMs: 3,
        tags: { 'kafka.topic': 'orders' },
      });
    listener.onSpanReport(kafka('00'));
    listener.onSpanReport(kafka('99'));
    listener.onSpanReport(
      makeSpan({ kind: 'internal', logType: 'biz', operationName: 'compute', resultCode: '', tags: {} }),
    );
    // An RPC-ish span with a `method` tag but no HTTP tags is not HTTP.
    listener.onSpanReport(
      makeSpan({
        kind: 'client',
        logType: 'rpc',
        operationName: 'Foo.bar',
        resultCode: '00',
        tags: { method: 'bar' },
      }),
    );
    const text = await registry.prometheus.metrics();
    const k = { app: 'shop', log_type: 'kafka-producer', kind: 'producer', operation: 'send orders' };
    expect(valueOf(text, 'tracer_span_requests_total', { ...k, result_code: '00' })).toBe(1);
    expect(valueOf(text, 'tracer_span_errors_total', { ...k, result_code: '99' })).toBe(1);
    expect(valueOf(text, 'tracer_span_duration_seconds_sum', { ...k, result_code: '00' })).toBe(0.003);
    expect(
      valueOf(text, 'tracer_span_requests_total', { log_type: 'biz', kind: 'internal', result_code: 'none' }),
    ).toBe(1);
    expect(valueOf(text, 'tracer_span_requests_total', { log_type: 'rpc', operation: 'Foo.bar' })).toBe(1);
    expect(samplesOf(text, 'http_client_requests_total')).toEqual([]);
  });

  it('caps distinct values per label; overflow collapses to OTHER and is counted', async () => {
    const { registry, listener } = setup({ maxLabelValues: 3 });
    for (let i = 0; i < 10; i++) {
      listener.onSpanReport(
        makeSpan({ tags: { method: 'GET', route: '/r' + i, 'request.url': 'http://x/' + i } }),
      );
    }
    const text = await registry.prometheus.metrics();
    const routes = samplesOf(text, 'http_server_requests_total').map((s) => [s.labels.route, s.value]);
    expect(routes).toEqual([
      ['/r0', '1'],
      ['/r1', '1'],
      ['/r2', '1'],
      ['OTHER', '7'],
    ]);
    expect(family(parseExposition(text), 'lookout_span_metrics_label_overflow_total').type).toBe('COUNTER');
    expect(
      valueOf(text, 'lookout_span_metrics_label_overflow_total', { family: 'http_server', label: 'route' }),
    ).toBe(7);
    expect(
      registry.get(registry.createId(LABEL_OVERFLOW_METRIC, { family: 'http_server', label: 'route' }))?.kind,
    ).toBe('counter');
  });

  it('cuts giant label values and keeps hostile ones escaped', async () => {
    const { registry, listener } = setup();
    const evil = 'X'.repeat(10_000) + '"\n\\';
    listener.onSpanReport(makeSpan({ tags: { method: 'GET"}\n', route: evil, 'request.url': 'u' } }));
    const text = await registry.prometheus.metrics();
    const [s] = samplesOf(text, 'http_server_requests_total');
    expect(s.labels.route).toBe('X'.repeat(128));
    expect(s.labels.method).toBe('GET"}\n');
    expect(() => parseExposition(text)).not.toThrow();
  });

  it('never throws, whatever the span looks like', () => {
    const { listener } = setup();
    const broken = makeSpan();
    Object.defineProperty(broken, 'tags', {
      get() {
        throw new Error('boom');
      },
    });
    expect(() => listener.onSpanReport(broken)).not.toThrow();
    expect(() => listener.onSpanReport({} as never)).not.toThrow();
    expect(() =>
      listener.onSpanReport(makeSpan({ durationMs: Number.NaN, resultCode: undefined as never })),
    ).not.toThrow();
  });

  it('uses a custom error rule when given', async () => {
    const { registry, listener } = setup({ isError: (s) => s.resultCode === '404' });
    listener.onSpanReport(makeSpan({ resultCode: '404' }));
    listener.onSpanReport(makeSpan({ resultCode: '500' }));
    const text = await registry.prometheus.metrics();
    expect(valueOf(text, 'http_server_errors_total', { status_code: '404' })).toBe(1);
    expect(samplesOf(text, 'http_server_errors_total', { status_code: '500' })).toEqual([]);
  });

  it('past the registry limit new combinations are no-ops, warned once, and not cached', async () => {
    const warnings: string[] = [];
    const registry = new Registry({
      commonTags: { app: 'shop' },
      maxMetrics: 4,
      logger: { warn: (m) => warnings.push(m) },
    });
    const listener = new SpanMetricsListener(registry);
    for (let i = 0; i < 50; i++)
      listener.onSpanReport(makeSpan({ tags: { method: 'GET', route: '/r' + i, 'request.url': 'u' } }));
    const text = await registry.prometheus.metrics();
    expect(samplesOf(text, 'http_server_requests_total').map((s) => s.labels.route)).toEqual(['/r0', '/r1']);
    expect(warnings).toHaveLength(1);
    const cache = (listener as unknown as { server: { cache: { get(...k: string[]): unknown } } }).server
      .cache;
    expect(cache.get('shop', 'GET', '/r1', '200', '')).toBeDefined();
    expect(cache.get('shop', 'GET', '/r2', '200', '')).toBeUndefined();
  });

  it('reuses the same metrics for the same label values (no new series per span)', () => {
    const { registry, listener } = setup();
    for (let i = 0; i < 100; i++) listener.onSpanReport(makeSpan());
    // requests counter + duration timer, no errors counter yet
    expect(registry.size).toBe(2);
  });
});
