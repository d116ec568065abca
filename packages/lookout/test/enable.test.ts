import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { enableLookout, type Lookout } from '@sofa-tracer/lookout';
import { httpGet } from './helpers/http';
import { GatewayReceiver } from './helpers/gateway-receiver';
import { family, parseExposition, valueOf } from './helpers/prom-parse';
import { serverSpan, tempTracer } from './helpers/tracer';

const ENV_KEYS = Object.keys(process.env).filter((k) => k.startsWith('SOFA_LOOKOUT_'));
afterEach(() => {
  for (const k of Object.keys(process.env))
    if (k.startsWith('SOFA_LOOKOUT_') && !ENV_KEYS.includes(k)) delete process.env[k];
});

describe('enableLookout', () => {
  let cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });
  function track(l: Lookout): Lookout {
    cleanup.push(() => l.close());
    return l;
  }

  it('span metrics from the real tracer, runtime metrics and common tags on /metrics (port 0)', async () => {
    const t = tempTracer('shop');
    cleanup.push(t.cleanup);
    const lookout = track(
      enableLookout({
        tracer: t.tracer,
        port: 0,
        host: '127.0.0.1',
        zone: 'gz00a',
        instanceId: 'i-1',
        logger: { warn() {} },
      }),
    );
    serverSpan(t.tracer, '/users/:id', 200);
    serverSpan(t.tracer, '/users/:id', 200);
    serverSpan(t.tracer, '/orders', 503, 'POST');
    const addr = (await lookout.address())!;
    const res = await httpGet(`http://127.0.0.1:${addr.port}/metrics`);
    expect(res.status).toBe(200);
    const text = res.body;
    const fams = parseExposition(text);
    expect(
      valueOf(text, 'http_server_requests_total', {
        app: 'shop',
        method: 'GET',
        route: '/users/:id',
        status_code: '200',
      }),
    ).toBe(2);
    expect(
      valueOf(text, 'http_server_errors_total', { method: 'POST', route: '/orders', status_code: '503' }),
    ).toBe(1);
    expect(family(fams, 'http_server_request_duration_seconds').type).toBe('HISTOGRAM');
    // runtime metrics, with the common tags
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_eventloop_utilization_ratio',
      'nodejs_active_handles_total',
    ]) {
      const f = family(fams, name);
      expect(f.metrics[0].labels).toMatchObject({
        app: 'shop',
        zone: 'gz00a',
        instance_id: 'i-1',
        host: expect.any(String),
        ip: expect.any(String),
      });
    }
    const elu = valueOf(text, 'nodejs_eventloop_utilization_ratio');
    expect(elu).toBeGreaterThanOrEqual(0);
    expect(elu).toBeLessThanOrEqual(1);
    expect(family(fams, 'nodejs_gc_duration_seconds').type).toBe('HISTOGRAM');
    expect(family(fams, 'nodejs_version_info').metrics[0].labels).toMatchObject({ version: process.version });
  });

  it('uses the global core tracer when none is passed', async () => {
    const { init } = await import('@sofa-tracer/core');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'lookout-global-'));
    const tracer = init({ appName: 'global-app', logDir: dir, statLogInterval: 3600 });
    cleanup.push(async () => {
      await tracer.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const lookout = track(enableLookout({ port: false, runtimeMetrics: false, logger: { warn() {} } }));
    expect(lookout.registry.commonTags.app).toBe('global-app');
    serverSpan(tracer, '/g', 200);
    expect(
      valueOf((await lookout.metrics()).body, 'http_server_requests_total', {
        app: 'global-app',
        route: '/g',
      }),
    ).toBe(1);
  });

  it('close() detaches the listener, stops the server, and is idempotent', async () => {
    const t = tempTracer();
    cleanup.push(t.cleanup);
    const lookout = enableLookout({
      tracer: t.tracer,
      port: 0,
      host: '127.0.0.1',
      runtimeMetrics: false,
      logger: { warn() {} },
    });
    serverSpan(t.tracer, '/a', 200);
    const port = (await lookout.address())!.port;
    await Promise.all([lookout.close(), lookout.close()]);
    serverSpan(t.tracer, '/a', 200);
    expect(valueOf((await lookout.metrics()).body, 'http_server_requests_total', { route: '/a' })).toBe(1);
    await expect(httpGet(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('switches: port false, runtime metrics off, span metrics off', async () => {
    const t = tempTracer();
    cleanup.push(t.cleanup);
    const lookout = track(
      enableLookout({
        tracer: t.tracer,
        port: false,
        runtimeMetrics: false,
        spanMetrics: false,
        logger: { warn() {} },
      }),
    );
    expect(await lookout.address()).toBeNull();
    expect(lookout.spanListener).toBeUndefined();
    serverSpan(t.tracer, '/a', 200);
    const { body } = await lookout.metrics();
    expect(body).not.toContain('process_cpu');
    expect(body).not.toContain('http_server_requests_total');
  });

  it('environment overrides: port off, max metrics, status class, label cap, app name; bad values warn', async () => {
    const t = tempTracer('from-tracer');
    cleanup.push(t.cleanup);
    Object.assign(process.env, {
      SOFA_LOOKOUT_PROMETHEUS_PORT: 'off',
      SOFA_LOOKOUT_MAX_METRICS: '4',
      SOFA_LOOKOUT_STATUS_LABEL: 'class',
      SOFA_LOOKOUT_MAX_LABEL_VALUES: '1',
      SOFA_LOOKOUT_APP_NAME: 'from-env',
      SOFA_LOOKOUT_RUNTIME_METRICS: 'maybe',
    });
    const warnings: string[] = [];
    const lookout = track(enableLookout({ tracer: t.tracer, logger: { warn: (m) => warnings.push(m) } }));
    expect(lookout.config).toMatchObject({
      port: false,
      maxMetrics: 4,
      appName: 'from-env',
      runtimeMetrics: true,
      spanMetrics: { statusLabel: 'class', maxLabelValues: 1 },
    });
    expect(warnings.some((w) => /SOFA_LOOKOUT_RUNTIME_METRICS=maybe is not a boolean/.test(w))).toBe(true);
    expect(lookout.registry.commonTags.app).toBe('from-env');
    serverSpan(t.tracer, '/a', 201);
    serverSpan(t.tracer, '/b', 204);
    const { body } = await lookout.metrics();
    // app label comes from the span (local.app), route /b collapsed by the cap of 1
    expect(
      valueOf(body, 'http_server_requests_total', { app: 'from-tracer', route: '/a', status_code: '2xx' }),
    ).toBe(1);
    expect(valueOf(body, 'http_server_requests_total', { route: 'OTHER' })).toBe(1);
  });

  it('invalid options throw with the option name', () => {
    expect(() => enableLookout({ port: 70000, tracer: false })).toThrow(
      /option port must be an integer in \[0, 65535\]/,
    );
    expect(() => enableLookout({ maxMetrics: -1, tracer: false, port: false })).toThrow(/maxMetrics/);
    expect(() =>
      enableLookout({ spanMetrics: { statusLabel: 'nope' as 'code' }, tracer: false, port: false }),
    ).toThrow(/statusLabel/);
  });

  it('never crashes when 9494-style port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as AddressInfo).port;
    const warnings: string[] = [];
    try {
      const lookout = track(
        enableLookout({
          tracer: false,
          port,
          host: '127.0.0.1',
          runtimeMetrics: false,
          logger: { warn: (m) => warnings.push(m) },
        }),
      );
      expect(await lookout.address()).toBeNull();
      expect(warnings.join('\n')).toMatch(/EADDRINUSE/);
      lookout.registry.counter('still.works').inc();
      expect((await lookout.metrics()).body).toContain('still_works_total');
    } finally {
      blocker.close();
    }
  });

  it('two instances in one process do not clash', async () => {
    const a = track(enableLookout({ tracer: false, port: false, appName: 'a', logger: { warn() {} } }));
    const b = track(enableLookout({ tracer: false, port: false, appName: 'b', logger: { warn() {} } }));
    a.registry.counter('x').inc();
    b.registry.counter('x').inc(2);
    expect(valueOf((await a.metrics()).body, 'x_total', { app: 'a' })).toBe(1);
    expect(valueOf((await b.metrics()).body, 'x_total', { app: 'b' })).toBe(2);
  });

  it('gateway from the environment; close() sends the last step', async () => {
    const receiver = await new GatewayReceiver().start();
    cleanup.push(() => receiver.stop());
    process.env.SOFA_LOOKOUT_GATEWAY_ADDRESS = receiver.address;
    const lookout = enableLookout({
      tracer: false,
      port: false,
      appName: 'gw',
      runtimeMetrics: false,
      logger: { warn() {} },
    });
    expect(lookout.gateway).toBeDefined();
    lookout.registry.counter('on.close').inc(5);
    await lookout.close();
    const recs = receiver.posts().flatMap((p) => p.records);
    expect(recs.find((r) => 'on.close' in r)).toMatchObject({
      tags: { app: 'gw', _type_: 'c' },
      'on.close': { count: 5 },
    });
    expect(receiver.posts()[0].headers.app).toBe('gw');
  });

  it('an unusable gateway or Pushgateway address warns and disables that push, the app keeps going', async () => {
    process.env.SOFA_LOOKOUT_GATEWAY_ADDRESS = 'http://[not a host';
    const warnings: string[] = [];
    const lookout = track(
      enableLookout({
        tracer: false,
        port: false,
        runtimeMetrics: false,
        pushgateway: { url: 'nope' },
        logger: { warn: (m) => warnings.push(m) },
      }),
    );
    expect(lookout.gateway).toBeUndefined();
    expect(lookout.pushgateway).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/Lookout gateway push disabled/);
    expect(warnings.join('\n')).toMatch(/Pushgateway push disabled/);
  });

  it('sends a non-ASCII app name percent-encoded in the app header', async () => {
    const receiver = await new GatewayReceiver().start();
    cleanup.push(() => receiver.stop());
    const lookout = enableLookout({
      tracer: false,
      port: false,
      appName: '订单',
      runtimeMetrics: false,
      gateway: { address: receiver.address },
      logger: { warn() {} },
    });
    lookout.registry.counter('x').inc();
    await lookout.close();
    expect(receiver.posts()[0].headers.app).toBe(encodeURIComponent('订单'));
    expect(receiver.posts()[0].records[0]).toMatchObject({ tags: { app: '订单' } });
  });

  it('keeps the default labels a user-supplied prom-client registry already has', async () => {
    const { Registry: PromRegistry } = await import('prom-client');
    const prom = new PromRegistry();
    prom.setDefaultLabels({ region: 'eu', app: 'mine' });
    const lookout = track(
      enableLookout({
        tracer: false,
        port: false,
        runtimeMetrics: false,
        appName: 'lk',
        prometheus: prom,
        logger: { warn() {} },
      }),
    );
    lookout.registry.counter('y').inc();
    const text = await prom.metrics();
    expect(valueOf(text, 'y_total', { region: 'eu', app: 'mine' })).toBe(1);
    expect(text).not.toContain('app="lk"');
  });

  it('pushes to a Prometheus Pushgateway (PUT /metrics/job/<job>/…) on demand and on close', async () => {
    const received: { method: string; url: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.statusCode = 200;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const lookout = enableLookout({
      tracer: false,
      port: false,
      appName: 'batch-job',
      runtimeMetrics: false,
      pushgateway: { url, groupings: { instance: 'w1' } },
      logger: { warn() {} },
    });
    lookout.registry.counter('rows.processed').inc(42);
    await lookout.pushgateway!.push();
    await lookout.close();
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual([
      'PUT /metrics/job/batch-job/instance/w1',
      'PUT /metrics/job/batch-job/instance/w1',
    ]);
    expect(valueOf(received[0].body, 'rows_processed_total', { app: 'batch-job' })).toBe(42);
    expect(family(parseExposition(received[1].body), 'rows_processed_total').type).toBe('COUNTER');
  });

  it('Pushgateway failures are counted and warned once, never thrown from close()', async () => {
    const warnings: string[] = [];
    const lookout = enableLookout({
      tracer: false,
      port: false,
      runtimeMetrics: false,
      pushgateway: { url: 'http://127.0.0.1:1', timeoutMs: 300 },
      logger: { warn: (m) => warnings.push(m) },
    });
    await expect(lookout.pushgateway!.push()).rejects.toThrow();
    await expect(lookout.close()).resolves.toBeUndefined();
    expect(lookout.pushgateway!.stats).toEqual({ pushed: 0, failed: 2 });
    expect(warnings.filter((w) => /Pushgateway push/.test(w))).toHaveLength(1);
  });
});
