import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  MetricsServer,
  negotiateFormat,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  Registry,
  createMetricsHandler,
  createKoaMetricsMiddleware,
  renderOpenMetrics,
} from '@sofa-tracer/lookout';
import { Counter as PromCounter } from 'prom-client';
import { httpGet, httpRequest } from './helpers/http';
import { family, parseExposition } from './helpers/prom-parse';

const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

function populated(): Registry {
  const registry = new Registry({ commonTags: { app: 'shop' }, logger: { warn() {} } });
  registry.counter(registry.createId('http.requests', { route: '/a' })).inc(2);
  registry.timer(registry.createId('db.query'), { buckets: [0.1] }).record(50);
  registry.gauge(registry.createId('queue.depth'), () => 4);
  new PromCounter({
    name: 'native_events_total',
    help: 'a prom-client counter',
    registers: [registry.prometheus],
  }).inc();
  return registry;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

describe('content negotiation', () => {
  it.each([
    [undefined, 'prometheus'],
    ['', 'prometheus'],
    ['*/*', 'prometheus'],
    ['text/plain', 'prometheus'],
    [PROMETHEUS_ACCEPT, 'openmetrics'],
    ['application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text;q=0.2, text/plain;q=0.9', 'prometheus'],
    ['application/openmetrics-text;q=0', 'prometheus'],
    ['garbage;;;q=abc,,', 'prometheus'],
  ])('Accept %p → %s', (accept, expected) => {
    expect(negotiateFormat(accept)).toBe(expected);
  });
});

describe('OpenMetrics rendering', () => {
  it('writes counter families without _total, samples with _total, default labels, # EOF', async () => {
    const registry = populated();
    const om = await renderOpenMetrics(registry.prometheus);
    expect(om).toContain(
      '# TYPE http_requests counter\n# HELP http_requests Lookout counter http.requests\nhttp_requests_total{route="/a",app="shop"} 2\n',
    );
    expect(om).toContain('# TYPE native_events counter\n');
    expect(om).toContain('native_events_total{app="shop"} 1\n');
    expect(om).toContain('# TYPE db_query_seconds histogram\n');
    expect(om).toContain('db_query_seconds_bucket{le="0.1",app="shop"} 1\n');
    expect(om).toContain('queue_depth{app="shop"} 4\n');
    expect(om.endsWith('\n# EOF\n')).toBe(true);
  });

  it('does not rename anything: the Prometheus text keeps the same names after an OpenMetrics scrape', async () => {
    const registry = populated();
    const before = await registry.prometheus.metrics();
    await renderOpenMetrics(registry.prometheus);
    const after = await registry.prometheus.metrics();
    expect(after).toBe(before);
    expect(family(parseExposition(after), 'native_events_total').type).toBe('COUNTER');
  });
});

describe('mountable handlers', () => {
  it('serves both formats on a user-owned node:http server', async () => {
    const registry = populated();
    const handler = createMetricsHandler(registry.prometheus);
    const server = createServer((req, res) => (req.url === '/metrics' ? handler(req, res) : res.end('app')));
    const port = await listen(server);
    try {
      const text = await httpGet(`http://127.0.0.1:${port}/metrics`);
      expect(text.status).toBe(200);
      expect(text.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
      expect(family(parseExposition(text.body), 'http_requests_total').metrics[0].value).toBe('2');
      const om = await httpGet(`http://127.0.0.1:${port}/metrics`, { Accept: PROMETHEUS_ACCEPT });
      expect(om.headers['content-type']).toBe(OPENMETRICS_CONTENT_TYPE);
      expect(om.body.endsWith('# EOF\n')).toBe(true);
    } finally {
      server.close();
    }
  });

  it('works as express middleware', async () => {
    const express = require('express') as typeof import('express');
    const registry = populated();
    const app = express();
    app.get('/metrics', createMetricsHandler(registry.prometheus));
    const server = createServer(app);
    const port = await listen(server);
    try {
      const res = await httpGet(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.body).toContain('# TYPE http_requests_total counter');
    } finally {
      server.close();
    }
  });

  it('koa middleware sets status, type and body on the context', async () => {
    const registry = populated();
    const headers: Record<string, string> = {};
    const ctx = {
      get: (h: string) => (h === 'accept' ? 'application/openmetrics-text' : ''),
      set: (k: string, v: string) => (headers[k] = v),
      body: undefined as unknown,
      status: 404,
    };
    await createKoaMetricsMiddleware(registry.prometheus)(ctx);
    expect(ctx.status).toBe(200);
    expect(headers['Content-Type']).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(String(ctx.body)).toContain('http_requests_total{route="/a",app="shop"} 2');
  });
});

describe('MetricsServer', () => {
  it('serves /metrics on an ephemeral port, 404 elsewhere, 405 for POST, HEAD without body', async () => {
    const registry = populated();
    const server = new MetricsServer(registry.prometheus, { port: 0, host: '127.0.0.1' }, { warn() {} });
    const addr = await server.ready;
    expect(addr).not.toBeNull();
    const base = `http://127.0.0.1:${addr!.port}`;
    try {
      const ok = await httpGet(base + '/metrics?x=1');
      expect(ok.status).toBe(200);
      expect(ok.body).toContain('queue_depth{app="shop"} 4');
      expect((await httpGet(base + '/other')).status).toBe(404);
      const post = (await httpRequest('POST', base + '/metrics')).status;
      const head = await httpRequest('HEAD', base + '/metrics');
      expect(head.status).toBe(200);
      expect(head.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
      expect(head.body).toBe('');
      expect(post).toBe(405);
    } finally {
      await server.close();
    }
  });

  it('warns instead of crashing when the port is taken', async () => {
    const blocker = createServer();
    const port = await listen(blocker);
    const warnings: string[] = [];
    try {
      const server = new MetricsServer(
        new Registry().prometheus,
        { port, host: '127.0.0.1' },
        { warn: (m) => warnings.push(m) },
      );
      expect(await server.ready).toBeNull();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(new RegExp(`could not listen on 127.0.0.1:${port} \\(EADDRINUSE\\)`));
      await server.close();
    } finally {
      blocker.close();
    }
  });
});
