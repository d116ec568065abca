import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { enableLookout } from '@sofa-tracer/lookout';
import { requireBinary } from './helpers/binaries';
import { sampleLines } from './helpers/prom-parse';
import { makeSpan } from './helpers/spans';
import { feedKafkaMetrics } from './helpers/kafka';

const run = promisify(execFile);
const PKG = join(__dirname, '..');
const RULES = join(PKG, 'prometheus', 'alert-rules.yml');
const RULE_TESTS = join(PKG, 'prometheus', 'alert-rules.test.yml');
const DASHBOARD = join(PKG, 'grafana', 'sofa-tracer-dashboard.json');

function promtool(): string {
  return requireBinary('promtool');
}

/** A populated exposition: every family the package exports, with data. */
async function fullExposition(accept?: string): Promise<string> {
  const lookout = enableLookout({ tracer: false, port: false, appName: 'shop', logger: { warn() {} } });
  try {
    const l = new (require('@sofa-tracer/lookout').SpanMetricsListener)(lookout.registry);
    l.onSpanReport(makeSpan());
    l.onSpanReport(makeSpan({ resultCode: '500' }));
    l.onSpanReport(
      makeSpan({
        kind: 'client',
        resultCode: '404',
        tags: { method: 'GET', 'request.url': 'u', 'remote.host': 'api:80' },
      }),
    );
    l.onSpanReport(
      makeSpan({
        kind: 'producer',
        logType: 'kafka-producer',
        operationName: 'send t',
        resultCode: '99',
        tags: {},
      }),
    );
    for (let i = 0; i < 150; i++)
      l.onSpanReport(makeSpan({ tags: { method: 'GET', route: '/r' + i, 'request.url': 'u' } }));
    feedKafkaMetrics(lookout.kafkaMetrics!);
    lookout.registry.counter('lookout.client.report.count').inc();
    lookout.registry.counter('lookout.client.report.fail.count').inc();
    lookout.registry.counter('lookout.client.report.drop.count').inc();
    return (await lookout.metrics(accept)).body;
  } finally {
    await lookout.close();
  }
}

describe('promtool', () => {
  it('check rules: the alert rules file is valid', async () => {
    const { stdout } = await run(promtool(), ['check', 'rules', RULES]);
    expect(stdout).toContain('SUCCESS: 8 rules found');
  });

  it('test rules: the alerts fire (and stay quiet) as intended', async () => {
    const { stdout } = await run(promtool(), ['test', 'rules', RULE_TESTS]);
    expect(stdout).toContain('SUCCESS');
  });

  it('every alert has a for: duration and a severity label', () => {
    const text = readFileSync(RULES, 'utf8');
    const alerts = text.split(/\n\s+- alert: /).slice(1);
    expect(alerts).toHaveLength(8);
    for (const a of alerts) {
      expect(a).toMatch(/\n\s+for: \d+m\n/);
      expect(a).toMatch(/\n\s+severity: (critical|warning|info)\n/);
    }
  });

  it("check metrics: Prometheus' own parser and linter accept the exposition", async () => {
    const body = await fullExposition();
    const child = require('node:child_process').spawn(promtool(), ['check', 'metrics'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    child.stdin.end(body);
    const code: number = await new Promise((r) => child.on('close', r));
    // The only lint findings allowed come from prom-client's own default metrics, not from Lookout's.
    const findings = out.split('\n').filter((l) => l.trim() !== '');
    const ours = findings
      .filter((l) => !/^(nodejs_|process_)/.test(l))
      // kafka_exporter's name, kept on purpose so its dashboards and alert rules apply unchanged
      .filter((l) => !l.startsWith('kafka_consumergroup_lag_sum non-histogram'));
    expect(ours).toEqual([]);
    expect(code === 0 || findings.length > 0).toBe(true);
  });
});

describe('Grafana dashboard', () => {
  const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    uid: string;
    title: string;
    schemaVersion: number;
    templating: { list: { name: string; type: string; query: unknown }[] };
    panels: {
      id: number;
      type: string;
      title: string;
      gridPos: { h: number; w: number; x: number; y: number };
      targets?: { expr: string; refId: string; datasource: { uid: string } }[];
    }[];
  };

  it('is a valid dashboard: uid, schema, unique ids, grid inside 24 columns, datasource variable', () => {
    expect(dash.uid).toBe('sofa-tracer-node');
    expect(dash.schemaVersion).toBeGreaterThanOrEqual(36);
    const ids = dash.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dash.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      if (p.type === 'row') continue;
      expect(p.type).toBe('timeseries');
      expect(p.targets!.length).toBeGreaterThan(0);
      for (const t of p.targets!) {
        expect(t.datasource.uid).toBe('${datasource}');
        expect(t.expr).toMatch(/\$app/);
      }
    }
    expect(dash.templating.list.map((v) => v.name)).toEqual(['datasource', 'app', 'instance', 'route']);
  });

  it('only queries metric names this package really exports', async () => {
    const text = await fullExposition();
    const exported = new Set<string>();
    for (const s of sampleLines(text)) exported.add(s.name);
    // Families without series yet (GC kinds before the first GC) still count, by their TYPE line.
    for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      exported.add(m[1]);
      if (m[2] === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) exported.add(m[1] + suffix);
    }
    const used = new Set<string>();
    for (const p of dash.panels)
      for (const t of p.targets ?? []) for (const m of t.expr.matchAll(/\b([a-z_]+)\{/g)) used.add(m[1]);
    expect(used.size).toBeGreaterThan(15);
    expect([...used].filter((n) => !exported.has(n))).toEqual([]);
  });
});
