import { Id, Registry } from '@sofa-tracer/lookout';
import { Gauge } from 'prom-client';
import { family, parseExposition, samplesOf, valueOf } from './helpers/prom-parse';

function newRegistry(extra: ConstructorParameters<typeof Registry>[0] = {}): {
  registry: Registry;
  warnings: string[];
} {
  const warnings: string[] = [];
  const registry = new Registry({
    commonTags: { app: 'shop', host: 'h1', ip: '10.0.0.1' },
    logger: { warn: (m) => warnings.push(m) },
    ...extra,
  });
  return { registry, warnings };
}

describe('Id', () => {
  it('sorts tags by key, is immutable, and withTag/withTags return new Ids', () => {
    const id = new Id('rpc.calls', { b: '2', a: 1, c: null });
    expect([...id.tags.entries()]).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', ''],
    ]);
    const id2 = id.withTag('d', true);
    expect(id2).not.toBe(id);
    expect(id.tag('d')).toBeUndefined();
    expect(id2.tag('d')).toBe('true');
    expect(id.withTags({ a: 'x', e: undefined }).toString()).toBe('rpc.calls{a=x,b=2,c=,e=}');
    expect(Object.isFrozen(id)).toBe(true);
    expect(new Id('rpc.calls', { c: '', a: '1', b: '2' }).equals(id)).toBe(true);
    expect(new Id('rpc.calls', new Map([['a', '1']])).key).toBe(new Id('rpc.calls', { a: '1' }).key);
  });

  it('drops reserved `_x_` keys and reads the priority tag', () => {
    const id = new Id('m', { _type_: 'c', priority: 'high', ok: 'y' });
    expect(id.tag('_type_')).toBeUndefined();
    expect(id.priority).toBe('high');
    expect(new Id('m').priority).toBe('normal');
    expect(new Id('m').withPriority('low').priority).toBe('low');
    expect(new Id('m', { priority: 'bogus' }).priority).toBe('normal');
  });

  it('rejects an empty name', () => {
    expect(() => new Id('')).toThrow(/non-empty/);
  });
});

describe('Registry semantics', () => {
  it('returns the same metric for an equal Id and throws on a kind clash', () => {
    const { registry } = newRegistry();
    const c1 = registry.counter(registry.createId('orders', { region: 'eu' }));
    const c2 = registry.counter(new Id('orders', { region: 'eu' }));
    expect(c2).toBe(c1);
    expect(registry.get(new Id('orders', { region: 'eu' }))).toBe(c1);
    expect(() => registry.timer(new Id('orders', { region: 'eu' }))).toThrow(
      /already registered as a counter/,
    );
    expect(() => registry.gauge(new Id('orders', { region: 'eu' }), () => 1)).toThrow(/counter/);
    expect(registry.size).toBe(1);
  });

  it('hands out no-op metrics past maxMetrics and warns exactly once', async () => {
    const { registry, warnings } = newRegistry({ maxMetrics: 3 });
    for (let i = 0; i < 3; i++) registry.counter(registry.createId('c', { i })).inc();
    const extra = registry.counter(registry.createId('c', { i: 99 }));
    const extraTimer = registry.timer('t');
    extra.inc(5);
    expect(extra.noop).toBe(true);
    expect(extra.count()).toBe(0);
    expect(extraTimer.record(() => 42)).toBe(42);
    expect(registry.size).toBe(3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/limit of 3 metrics/);
    const fams = parseExposition(await registry.prometheus.metrics());
    expect(
      family(fams, 'c_total')
        .metrics.map((m) => m.labels?.i)
        .sort(),
    ).toEqual(['0', '1', '2']);
    expect(fams.find((f) => f.name.startsWith('t_'))).toBeUndefined();
    // Room again after a removal: a real metric, no second warning.
    registry.removeMetric(registry.createId('c', { i: 0 }));
    expect(registry.counter(registry.createId('c', { i: 99 })).noop).toBe(false);
    expect(warnings).toHaveLength(1);
  });

  it('counter: inc/dec/count and Prometheus counter with HELP, TYPE and common tags', async () => {
    const { registry } = newRegistry();
    const c = registry.counter(registry.createId('http.requests', { route: '/a' }), {
      description: 'Requests served',
    });
    c.inc();
    c.inc(4);
    c.dec(2);
    c.inc(Number.NaN);
    expect(c.count()).toBe(3);
    const text = await registry.prometheus.metrics();
    expect(text).toContain(
      '# HELP http_requests_total Requests served\n# TYPE http_requests_total counter\n',
    );
    const f = family(parseExposition(text), 'http_requests_total');
    expect(f.type).toBe('COUNTER');
    expect(f.metrics).toEqual([
      { value: '3', labels: { route: '/a', app: 'shop', host: 'h1', ip: '10.0.0.1' } },
    ]);
  });

  it('a metric tag wins over a common tag of the same key', async () => {
    const { registry } = newRegistry();
    registry.counter(registry.createId('x', { app: 'other' })).inc();
    const f = family(parseExposition(await registry.prometheus.metrics()), 'x_total');
    expect(f.metrics[0].labels?.app).toBe('other');
  });

  it('timer: histogram in seconds, max gauge, ≤0 dropped, record(fn) sync and async', async () => {
    const { registry } = newRegistry();
    const t = registry.timer(registry.createId('db.query', { op: 'select' }), { buckets: [0.01, 0.1, 1] });
    t.record(5); // ms
    t.record(0.2, 's');
    t.record(3000, 'ms');
    t.record(0);
    t.record(-1);
    t.record(Number.POSITIVE_INFINITY);
    expect(t.record(() => 'sync')).toBe('sync');
    await t.record(() => new Promise((r) => setTimeout(() => r('async'), 5)));
    const err = new Error('work failed');
    expect(() =>
      t.record(() => {
        throw err;
      }),
    ).toThrow(err);
    await expect(t.record(() => Promise.reject(err))).rejects.toBe(err);
    expect(t.count()).toBe(7);
    expect(t.max()).toBe(3);
    const text = await registry.prometheus.metrics();
    const fams = parseExposition(text);
    expect(family(fams, 'db_query_seconds').type).toBe('HISTOGRAM');
    const labels = { op: 'select', app: 'shop', host: 'h1', ip: '10.0.0.1' };
    expect(samplesOf(text, 'db_query_seconds_bucket').map((s) => s.labels)).toEqual(
      ['0.01', '0.1', '1', '+Inf'].map((le) => ({
        op: 'select',
        le,
        app: 'shop',
        host: 'h1',
        ip: '10.0.0.1',
      })),
    );
    expect(valueOf(text, 'db_query_seconds_bucket', { le: '0.01' })).toBeGreaterThanOrEqual(3);
    expect(valueOf(text, 'db_query_seconds_bucket', { le: '1' })).toBe(6);
    expect(valueOf(text, 'db_query_seconds_bucket', { le: '+Inf' })).toBe(7);
    expect(valueOf(text, 'db_query_seconds_count', labels)).toBe(7);
    expect(valueOf(text, 'db_query_seconds_sum', labels)).toBeGreaterThan(3.2);
    const max = family(fams, 'db_query_seconds_max');
    expect(max.type).toBe('GAUGE');
    expect(max.metrics[0]).toEqual({ value: '3', labels });
  });

  it('distribution summary: histogram without a unit, only +Inf by default', async () => {
    const { registry } = newRegistry();
    const s = registry.distributionSummary('payload.size');
    s.record(100);
    s.record(300);
    s.record(0);
    expect([s.count(), s.totalAmount(), s.max()]).toEqual([2, 400, 300]);
    const text = await registry.prometheus.metrics();
    expect(family(parseExposition(text), 'payload_size').type).toBe('HISTOGRAM');
    expect(samplesOf(text, 'payload_size_bucket').map((x) => [x.labels.le, x.value])).toEqual([
      ['+Inf', '2'],
    ]);
    expect(valueOf(text, 'payload_size_count')).toBe(2);
    expect(valueOf(text, 'payload_size_sum')).toBe(400);
    expect(valueOf(text, 'payload_size_max')).toBe(300);
  });

  it('gauge: sampled at export; a throwing supplier loses its sample, not the scrape', async () => {
    const { registry } = newRegistry();
    let v = 1;
    const g = registry.gauge('queue.depth', () => v);
    registry.gauge('broken', () => {
      throw new Error('boom');
    });
    registry.gauge(registry.createId('obj'), { value: () => 7 });
    v = 42;
    expect(g.value()).toBe(42);
    const fams = parseExposition(await registry.prometheus.metrics());
    expect(family(fams, 'queue_depth').metrics[0].value).toBe('42');
    expect(family(fams, 'broken').metrics).toEqual([]);
    expect(family(fams, 'obj').metrics[0].value).toBe('7');
  });

  it('mixin: one family per component, same tags', async () => {
    const { registry } = newRegistry();
    const id = registry.createId('rpc.consumer.service.stats', { service: 'Foo', method: 'bar' });
    const m = registry.mixinMetric(id);
    expect(registry.mixinMetric(id)).toBe(m);
    m.counter('total_count').inc(2);
    m.timer('total_time').record(20);
    m.distributionSummary('request_size').record(128);
    m.gauge('inflight', () => 3);
    expect(m.counter('total_count').count()).toBe(2);
    expect(() => m.timer('total_count')).toThrow(/is a counter/);
    const text = await registry.prometheus.metrics();
    const fams = parseExposition(text);
    const labels = { service: 'Foo', method: 'bar', app: 'shop', host: 'h1', ip: '10.0.0.1' };
    expect(family(fams, 'rpc_consumer_service_stats_total_count_total').metrics[0]).toEqual({
      value: '2',
      labels,
    });
    expect(family(fams, 'rpc_consumer_service_stats_total_time_seconds').type).toBe('HISTOGRAM');
    expect(valueOf(text, 'rpc_consumer_service_stats_total_time_seconds_count', labels)).toBe(1);
    expect(valueOf(text, 'rpc_consumer_service_stats_total_time_seconds_sum', labels)).toBe(0.02);
    expect(valueOf(text, 'rpc_consumer_service_stats_request_size_sum', labels)).toBe(128);
    expect(family(fams, 'rpc_consumer_service_stats_inflight').metrics[0].value).toBe('3');
    expect(registry.size).toBe(1);
  });

  it('info: gauge <name>_info = 1 with the fields as labels', async () => {
    const { registry } = newRegistry();
    registry.info('app.build', () => ({ version: '1.2.3', 'git.sha': 'abc' }));
    const f = family(parseExposition(await registry.prometheus.metrics()), 'app_build_info');
    expect(f.metrics[0]).toEqual({
      value: '1',
      labels: { version: '1.2.3', git_sha: 'abc', app: 'shop', host: 'h1', ip: '10.0.0.1' },
    });
  });

  it('sanitises metric names and label keys; reserved labels are renamed', async () => {
    const { registry } = newRegistry({ commonTags: {} });
    registry
      .counter(
        registry.createId('9lives.cat-food/ate', { 'weird key!': 'v"1\n', le: 'x', __meta: 'm', '1st': 'y' }),
      )
      .inc();
    registry.timer(registry.createId('t', { quantile: 'q' })).record(1);
    const text = await registry.prometheus.metrics();
    const f = family(parseExposition(text), '_9lives_cat_food_ate_total');
    expect(f.metrics[0].labels).toEqual({ weird_key_: 'v"1\n', tag_le: 'x', _meta: 'm', _1st: 'y' });
    expect(text).toContain('weird_key_="v\\"1\\n"');
    expect(samplesOf(text, 't_seconds_count')[0].labels).toEqual({ tag_quantile: 'q' });
  });

  it('series of one name may carry different tag keys (one family)', async () => {
    const { registry } = newRegistry({ commonTags: {} });
    registry.counter(registry.createId('jobs', { queue: 'a' })).inc();
    registry.counter(registry.createId('jobs', { queue: 'b', shard: '1' })).inc(2);
    registry.counter(registry.createId('jobs')).inc(3);
    const text = await registry.prometheus.metrics();
    expect(text.match(/# TYPE jobs_total counter/g)).toHaveLength(1);
    expect(family(parseExposition(text), 'jobs_total').metrics).toEqual([
      { value: '1', labels: { queue: 'a' } },
      { value: '2', labels: { queue: 'b', shard: '1' } },
      { value: '3' },
    ]);
  });

  it('keeps the priority tag as a label and uses its step for the max window', async () => {
    const { registry } = newRegistry({ commonTags: {}, stepMs: { high: 50 } });
    const t = registry.timer(registry.createId('fast', { priority: 'high' }));
    t.record(2, 's');
    expect(t.max()).toBe(2);
    await new Promise((r) => setTimeout(r, 60));
    expect(t.max()).toBe(2); // previous window still reported
    await new Promise((r) => setTimeout(r, 60));
    expect(t.max()).toBe(0);
    expect(samplesOf(await registry.prometheus.metrics(), 'fast_seconds_count')[0].labels).toEqual({
      priority: 'high',
    });
  });

  it('refuses Prometheus name clashes between kinds and with foreign metrics', () => {
    const { registry } = newRegistry();
    registry.gauge('size', () => 1);
    expect(() => registry.distributionSummary(registry.createId('size', { k: 'v' }))).toThrow(
      /already a gauge/,
    );
    new Gauge({ name: 'foreign', help: 'h', registers: [registry.prometheus] });
    expect(() => registry.counter('foreign.total')).not.toThrow();
    expect(() => registry.gauge('foreign', () => 1)).toThrow(/outside Lookout/);
    expect(registry.size).toBe(2);
    // the failed summary left nothing behind
    expect(registry.prometheus.getSingleMetric('size_max')).toBeUndefined();
  });

  it('removeMetric drops the series and the family once empty', async () => {
    const { registry } = newRegistry({ commonTags: {} });
    const a = registry.createId('gone', { k: 'a' });
    registry.counter(a).inc();
    registry.counter(registry.createId('gone', { k: 'b' })).inc();
    expect(registry.removeMetric(a)?.kind).toBe('counter');
    expect(registry.removeMetric(a)).toBeUndefined();
    expect(family(parseExposition(await registry.prometheus.metrics()), 'gone_total').metrics).toEqual([
      { value: '1', labels: { k: 'b' } },
    ]);
    registry.removeMetric(registry.createId('gone', { k: 'b' }));
    expect(await registry.prometheus.metrics()).not.toContain('gone_total');
    expect(registry.size).toBe(0);
  });
});
