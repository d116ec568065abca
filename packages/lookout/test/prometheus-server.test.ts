import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { sofaTracer } from '@sofa-tracer/express';
import { enableLookout, negotiateFormat, type Lookout } from '@sofa-tracer/lookout';
import { requireBinary } from './helpers/binaries';
import { httpGet } from './helpers/http';
import { tempTracer } from './helpers/tracer';

// A real Prometheus (Debian's package, installed by tools/prometheus/install.sh) scrapes an
// express app traced by @sofa-tracer/express, with lookout's handler mounted on the app's own
// /metrics; PromQL over Prometheus' HTTP API must then return the request rate by route.

jest.setTimeout(90_000);

const PKG = join(__dirname, '..');
const JOB = 'sofa-tracer-it';

interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function until<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? ': ' + String(last) : ''}`);
}

describe('integration with a real Prometheus server', () => {
  let prometheusBin: string;
  let prom: ChildProcess | undefined;
  let promLog = '';
  let promBase = '';
  let dir = '';
  let app: Server | undefined;
  let lookout: Lookout | undefined;
  let tracerCleanup: (() => Promise<void>) | undefined;
  let traffic: NodeJS.Timeout | undefined;
  const scrapeAccepts: string[] = [];

  beforeAll(async () => {
    prometheusBin = requireBinary('prometheus');
    dir = mkdtempSync(join(tmpdir(), 'lookout-prom-'));

    const t = tempTracer('it-shop');
    tracerCleanup = t.cleanup;
    lookout = enableLookout({ tracer: t.tracer, port: false, logger: { warn() {} } });
    // Every Lookout kind, so the real Prometheus parses them all (OpenMetrics) too.
    const r = lookout.registry;
    r.timer(r.createId('it.db.query', { op: 'select' })).record(12);
    r.distributionSummary('it.payload.size').record(512);
    r.gauge(r.createId('it.queue.depth', { 'queue name': 'q"1' }), () => 3);
    r.info('it.build', () => ({ version: '1.2.3' }));
    const mix = r.mixinMetric(r.createId('it.rpc.stats', { service: 'S' }));
    mix.counter('total_count').inc(2);
    mix.timer('total_time').record(5);
    const ex = express();
    ex.use(sofaTracer({ tracer: t.tracer, ignorePaths: ['/metrics'] }));
    ex.get('/metrics', (req, res) => {
      scrapeAccepts.push(req.headers.accept ?? '');
      lookout!.handler(req, res);
    });
    ex.get('/users/:id', (req, res) => {
      res.json({ id: req.params.id });
    });
    ex.post('/orders', (_req, res) => {
      res.status(201).end();
    });
    ex.get('/boom', (_req, res) => {
      res.status(500).end('boom');
    });
    app = createServer(ex);
    await new Promise<void>((r) => app!.listen(0, '127.0.0.1', () => r()));
    const appPort = (app.address() as AddressInfo).port;

    const webPort = await freePort();
    promBase = `http://127.0.0.1:${webPort}`;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${join(PKG, 'prometheus', 'alert-rules.yml')}`,
        'scrape_configs:',
        `  - job_name: ${JOB}`,
        '    static_configs:',
        `      - targets: ['127.0.0.1:${appPort}']`,
        '',
      ].join('\n'),
    );
    prom = spawn(
      prometheusBin,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${webPort}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prom.stdout!.on('data', (c: Buffer) => (promLog += c));
    prom.stderr!.on('data', (c: Buffer) => (promLog += c));
    const exited = new Promise<never>((_, reject) =>
      prom!.once('exit', (code) => reject(new Error(`prometheus exited (${code}):\n${promLog}`))),
    );
    await Promise.race([
      until('prometheus /-/ready', 30_000, async () =>
        (await httpGet(promBase + '/-/ready')).status === 200 ? true : undefined,
      ),
      exited,
    ]);

    // Steady traffic: 2 routes at different rates, a failing route, and scanner noise (UNMATCHED).
    const base = `http://127.0.0.1:${appPort}`;
    let n = 0;
    traffic = setInterval(() => {
      n++;
      void httpGet(`${base}/users/${n}`).catch(() => undefined);
      void httpGet(`${base}/users/${n + 1}`).catch(() => undefined);
      if (n % 2 === 0) void fetch(`${base}/orders`, { method: 'POST' }).catch(() => undefined);
      if (n % 4 === 0) void httpGet(`${base}/boom`).catch(() => undefined);
      void httpGet(`${base}/wp-admin/${n}.php`).catch(() => undefined);
    }, 50);
  });

  afterAll(async () => {
    if (traffic) clearInterval(traffic);
    if (prom && prom.exitCode === null) {
      const gone = new Promise((r) => prom!.once('exit', r));
      prom.kill('SIGTERM');
      await gone;
    }
    await lookout?.close();
    if (app) {
      app.closeAllConnections();
      await new Promise((r) => app!.close(r));
    }
    await tracerCleanup?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function query(promql: string): Promise<PromResult[]> {
    const res = await httpGet(`${promBase}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = JSON.parse(res.body) as { status: string; error?: string; data: { result: PromResult[] } };
    if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
    return body.data.result;
  }

  it('scrapes the app (OpenMetrics negotiated) and answers the request rate by route', async () => {
    const target = await until('a healthy scrape', 30_000, async () => {
      const res = JSON.parse((await httpGet(`${promBase}/api/v1/targets`)).body) as {
        data: { activeTargets: { health: string; lastError: string; labels: Record<string, string> }[] };
      };
      const t = res.data.activeTargets.find((x) => x.labels.job === JOB);
      return t && t.health === 'up' ? t : undefined;
    });
    expect(target.lastError).toBe('');
    // Prometheus asked for OpenMetrics and got it (a parse error would have shown in lastError).
    expect(scrapeAccepts.length).toBeGreaterThan(0);
    expect(scrapeAccepts.every((a) => negotiateFormat(a) === 'openmetrics')).toBe(true);

    const byRoute = await until('rates for every route', 40_000, async () => {
      const r = await query(`sum by (route) (rate(http_server_requests_total{job="${JOB}"}[5s]))`);
      const routes = Object.fromEntries(r.map((x) => [x.metric.route, Number(x.value[1])]));
      return ['/users/:id', '/orders', '/boom', 'UNMATCHED'].every((k) => routes[k] > 0) ? routes : undefined;
    });
    // Raw paths never become series: one UNMATCHED series for all the scanner noise.
    expect(Object.keys(byRoute).sort()).toEqual(['/boom', '/orders', '/users/:id', 'UNMATCHED']);
    // /users/:id gets 2 requests per tick, /orders 1 every 2 ticks: the ratio shows through.
    expect(byRoute['/users/:id']).toBeGreaterThan(byRoute['/orders'] * 2);

    const errors = await query(`sum by (route, status_code) (http_server_errors_total{job="${JOB}"})`);
    expect(errors.map((e) => [e.metric.route, e.metric.status_code])).toEqual([['/boom', '500']]);

    const labels = (await query(`http_server_requests_total{job="${JOB}",route="/orders"}`))[0].metric;
    expect(labels).toMatchObject({
      app: 'it-shop',
      method: 'POST',
      status_code: '201',
      host: expect.any(String),
      ip: expect.any(String),
    });

    const p99 = await query(
      `histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{job="${JOB}",route="/users/:id"}[5s])))`,
    );
    expect(Number(p99[0].value[1])).toBeGreaterThan(0);

    const runtime = await query(`nodejs_eventloop_utilization_ratio{job="${JOB}"}`);
    expect(runtime[0].metric.app).toBe('it-shop');

    const lookoutApi = await query(
      `{job="${JOB}",__name__=~"it_db_query_seconds_count|it_payload_size_count|it_queue_depth|it_build_info|it_rpc_stats_total_count_total|it_rpc_stats_total_time_seconds_count"}`,
    );
    expect(Object.fromEntries(lookoutApi.map((x) => [x.metric.__name__, Number(x.value[1])]))).toEqual({
      it_db_query_seconds_count: 1,
      it_payload_size_count: 1,
      it_queue_depth: 3,
      it_build_info: 1,
      it_rpc_stats_total_count_total: 2,
      it_rpc_stats_total_time_seconds_count: 1,
    });
    expect(lookoutApi.find((x) => x.metric.__name__ === 'it_queue_depth')!.metric.queue_name).toBe('q"1');
  });

  it('loads the alert rules and evaluates them without errors', async () => {
    const res = JSON.parse((await httpGet(`${promBase}/api/v1/rules`)).body) as {
      data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const rules = res.data.groups.flatMap((g) => g.rules);
    expect(res.data.groups.map((g) => g.name).sort()).toEqual([
      'sofa-tracer-http',
      'sofa-tracer-runtime',
      'sofa-tracer-spans',
    ]);
    expect(rules).toHaveLength(8);
    await until('every rule evaluated ok', 15_000, async () => {
      const now = JSON.parse((await httpGet(`${promBase}/api/v1/rules`)).body) as typeof res;
      const all = now.data.groups.flatMap((g) => g.rules);
      return all.every((r) => r.health === 'ok') ? true : undefined;
    });
  });

  it('every Grafana dashboard query is valid PromQL and the main panels have data', async () => {
    const dash = JSON.parse(readFileSync(join(PKG, 'grafana', 'sofa-tracer-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const withData: string[] = [];
    for (const p of dash.panels) {
      for (const t of p.targets ?? []) {
        const promql = t.expr.replace(/\$__rate_interval/g, '10s').replace(/\$(app|instance|route)/g, '.*');
        const result = await query(promql);
        if (result.length > 0) withData.push(p.title);
      }
    }
    expect(withData).toEqual(
      expect.arrayContaining([
        'Requests / s by route',
        'Error ratio by route',
        'Latency percentiles',
        'Event-loop delay',
        'Memory',
      ]),
    );
  });
});
