import { createServer } from 'node:net';
import {
  GatewayReporter,
  REPORT_COUNT,
  REPORT_DROP_COUNT,
  REPORT_FAIL_COUNT,
  Registry,
  type GatewayOptions,
} from '@sofa-tracer/lookout';
import { GatewayReceiver } from './helpers/gateway-receiver';

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;
const COMMON = { app: 'shop', host: 'h1', ip: '10.0.0.9' };

let receiver: GatewayReceiver;
beforeEach(async () => {
  receiver = await new GatewayReceiver().start();
});
afterEach(async () => {
  await receiver.stop();
});

function setup(
  options: Partial<GatewayOptions> = {},
  maxMetrics = 3000,
): { registry: Registry; reporter: GatewayReporter; warnings: string[] } {
  const warnings: string[] = [];
  const registry = new Registry({
    commonTags: COMMON,
    maxMetrics,
    stepMs: { high: 1000, normal: 2000, low: 4000 },
    logger: { warn: (m) => warnings.push(m) },
  });
  const reporter = new GatewayReporter(
    registry,
    { address: receiver.address, clientIp: '10.0.0.9', ...options },
    { warn: (m) => warnings.push(m) },
    'unused',
  );
  return { registry, reporter, warnings };
}

/** A free port nobody listens on. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('GatewayReporter', () => {
  it('health-checks, then POSTs tab-joined plain-text records with the Lookout headers', async () => {
    const { registry, reporter } = setup();
    for (let i = 0; i < 50; i++)
      registry.counter(registry.createId('orders.created', { shard: i })).inc(i + 1);
    await reporter.report();
    expect(receiver.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /datas', 'POST /datas']);
    const [post] = receiver.posts();
    expect(post.headers).toMatchObject({
      'client-ip': '10.0.0.9',
      app: 'shop',
      pri: 'NORMAL',
      'user-agent': 'LOOKOUT-CLIENT-V1',
      'content-type': 'text/plain; charset=utf-8',
    });
    expect(post.headers['content-encoding']).toBeUndefined();
    expect(post.raw.toString('utf8').split('\t')).toHaveLength(50);
    expect(post.records).toHaveLength(50);
    post.records.forEach((rec, i) => {
      expect(Object.keys(rec)).toEqual(['time', 'tags', 'orders.created']);
      expect(rec.time).toMatch(TIME);
      expect(rec.tags).toEqual({ ...COMMON, shard: String(i), _type_: 'c' });
      expect(rec['orders.created']).toEqual({ count: i + 1, rate: (i + 1) / 2 });
    });
    expect(reporter.stats).toMatchObject({ batchesSent: 1, recordsSent: 50, batchesFailed: 0, buffered: 0 });
  });

  it('reports deltas per step and skips idle counters', async () => {
    const { registry, reporter } = setup();
    const c = registry.counter('hits');
    c.inc(3);
    await reporter.report();
    await reporter.report(); // nothing new (self metric report.count moved though)
    c.inc(2);
    await reporter.report();
    const hits = receiver
      .posts()
      .flatMap((p) => p.records)
      .filter((r) => 'hits' in r)
      .map((r) => r.hits);
    expect(hits).toEqual([
      { count: 3, rate: 1.5 },
      { count: 2, rate: 1 },
    ]);
    const selfReports = receiver
      .posts()
      .flatMap((p) => p.records)
      .filter((r) => REPORT_COUNT in r);
    expect(selfReports[0]).toMatchObject({ tags: { ...COMMON, _type_: 'c' }, [REPORT_COUNT]: { count: 1 } });
  });

  it('batches by 1700 and snappy-compresses batches of 100 records or more', async () => {
    const { registry, reporter } = setup({}, 5000);
    for (let i = 0; i < 1750; i++) registry.counter(registry.createId('bulk', { i })).inc();
    await reporter.report();
    const posts = receiver.posts();
    expect(
      posts.map((p) => [
        p.records.length,
        p.headers['content-encoding'] ?? 'none',
        p.headers['content-type'],
      ]),
    ).toEqual([
      [1700, 'snappy', 'application/octet-stream'],
      [50, 'none', 'text/plain; charset=utf-8'],
    ]);
    // the snappy body really is compressed, and every record made it, in order
    expect(posts[0].raw.length).toBeLessThan(
      posts[0].records.map((r) => JSON.stringify(r)).join('\t').length,
    );
    const all = posts.flatMap((p) => p.records);
    expect(all.map((r) => (r.tags as Record<string, string>).i)).toEqual(
      Array.from({ length: 1750 }, (_, i) => String(i)),
    );
    expect(all.every((r) => (r.bulk as { count: number }).count === 1)).toBe(true);
  });

  it('writes every kind with its _type_ and measurements; priorities go in separate POSTs', async () => {
    const { registry, reporter } = setup();
    const t = registry.timer(registry.createId('db.query', { op: 'select' }));
    t.record(100);
    t.record(300);
    const s = registry.distributionSummary('payload');
    s.record(10);
    s.record(30);
    registry.gauge('pool.size', () => 8);
    registry.info('build', () => ({ version: '1.0.0' }));
    const mix = registry.mixinMetric(registry.createId('rpc.stats', { service: 'S' }));
    mix.counter('total_count').inc(4);
    mix.timer('total_time').record(2, 's');
    registry.counter(registry.createId('urgent', { priority: 'high' })).inc();
    await reporter.report();
    const byPri = Object.fromEntries(receiver.posts().map((p) => [p.headers.pri as string, p.records]));
    expect(Object.keys(byPri).sort()).toEqual(['HIGH', 'NORMAL']);
    expect(byPri.HIGH).toEqual([
      {
        time: expect.stringMatching(TIME),
        tags: { ...COMMON, priority: 'high', _type_: 'c' },
        urgent: { count: 1, rate: 1 },
      },
    ]);
    const find = (name: string) => byPri.NORMAL.find((r) => name in r)!;
    expect(find('db.query')).toEqual({
      time: expect.stringMatching(TIME),
      tags: { ...COMMON, op: 'select', _type_: 't' },
      'db.query': { count: 2, rate: 1, totalTime: 0.4, elapPerExec: 0.2, max: 0.3 },
    });
    expect(find('payload')).toMatchObject({
      tags: { _type_: 'd' },
      payload: { count: 2, rate: 1, totalAmount: 40, max: 30 },
    });
    expect(find('pool.size')).toMatchObject({ tags: { _type_: 'g' }, 'pool.size': { value: 8 } });
    expect(find('build')).toMatchObject({ tags: { _type_: 'i' }, build: { version: '1.0.0' } });
    expect(find('rpc.stats')).toEqual({
      time: expect.stringMatching(TIME),
      tags: { ...COMMON, service: 'S', _type_: 'm' },
      'rpc.stats': {
        'total_count.count': 4,
        'total_count.rate': 2,
        'total_time.count': 1,
        'total_time.rate': 0.5,
        'total_time.totalTime': 2,
        'total_time.elapPerExec': 2,
        'total_time.max': 2,
      },
    });
  });

  it('412 on the health check: nothing is posted, records wait, one warning; sent once accepted', async () => {
    const { registry, reporter, warnings } = setup({ healthCheckIntervalMs: 0 });
    receiver.behaviour.healthStatus = 412;
    registry.counter('a').inc();
    await reporter.report();
    await reporter.report();
    expect(receiver.posts()).toHaveLength(0);
    expect(receiver.requests.filter((r) => r.method === 'GET')).toHaveLength(2);
    expect(reporter.stats.buffered).toBe(1);
    expect(warnings.filter((w) => /rejected this client \(412\)/.test(w))).toHaveLength(1);
    receiver.behaviour.healthStatus = 200;
    await reporter.flush();
    expect(
      receiver
        .posts()
        .flatMap((p) => p.records)
        .map((r) => Object.keys(r)[2]),
    ).toEqual(['a']);
    expect(reporter.stats.buffered).toBe(0);
  });

  it('gateway down: bounded buffer, oldest dropped and counted, never throws', async () => {
    const registry = new Registry({ commonTags: COMMON, stepMs: { normal: 1000 }, logger: { warn() {} } });
    const warnings: string[] = [];
    const reporter = new GatewayReporter(
      registry,
      { address: `127.0.0.1:${await deadPort()}`, maxBufferedRecords: 25 },
      { warn: (m) => warnings.push(m) },
      '10.0.0.9',
    );
    const counters = Array.from({ length: 10 }, (_, i) => registry.counter(registry.createId('c', { i })));
    for (let step = 0; step < 5; step++) {
      for (const c of counters) c.inc();
      await expect(reporter.report()).resolves.toBeUndefined();
    }
    expect(reporter.stats.buffered).toBe(25);
    expect(reporter.stats.recordsDropped).toBeGreaterThanOrEqual(25);
    expect(registry.counter(REPORT_DROP_COUNT).count()).toBe(reporter.stats.recordsDropped);
    expect(warnings.filter((w) => /unreachable/.test(w))).toHaveLength(1);
  });

  it('a slow gateway times out (1 s default, here 150 ms): failure counted, batch kept for the next step', async () => {
    const { registry, reporter } = setup({ timeoutMs: 150 });
    receiver.behaviour.postDelayMs = 1000;
    registry.counter('slow.one').inc();
    const t0 = Date.now();
    await reporter.report();
    expect(Date.now() - t0).toBeLessThan(900);
    expect(reporter.stats).toMatchObject({ batchesFailed: 1, batchesSent: 0, buffered: 1 });
    expect(registry.counter(REPORT_FAIL_COUNT).count()).toBe(1);
    receiver.behaviour.postDelayMs = 0;
    await reporter.report();
    expect(reporter.stats).toMatchObject({ batchesSent: 1, buffered: 0 });
    const last = receiver.posts().at(-1)!;
    expect(last.records.map((r) => Object.keys(r)[2])).toEqual(
      expect.arrayContaining(['slow.one', REPORT_FAIL_COUNT]),
    );
  });

  it('a non-2xx POST counts as a failure', async () => {
    const { registry, reporter } = setup();
    receiver.behaviour.postStatus = 500;
    registry.counter('x').inc();
    await reporter.report();
    expect(reporter.stats).toMatchObject({ batchesFailed: 1, buffered: 1 });
  });

  it('Wait-Minutes pauses sending', async () => {
    const { registry, reporter } = setup();
    receiver.behaviour.waitMinutes = 2;
    registry.counter('a').inc();
    await reporter.report();
    expect(reporter.paused).toBe(true);
    registry.counter('b').inc();
    await reporter.report();
    expect(receiver.posts()).toHaveLength(1);
    expect(reporter.stats.buffered).toBe(2); // b + report.count, waiting for the pause to end
  });

  it('ignores a garbage Wait-Minutes header', async () => {
    const { registry, reporter } = setup();
    receiver.behaviour.waitMinutes = 'soon' as unknown as number;
    registry.counter('a').inc();
    await reporter.report();
    expect(reporter.paused).toBe(false);
    expect(reporter.stats.batchesSent).toBe(1);
  });

  it("start() reports on its own each step (unref'd timer) and stop() sends the last step", async () => {
    const registry = new Registry({
      commonTags: COMMON,
      stepMs: { high: 100, normal: 100, low: 100 },
      logger: { warn() {} },
    });
    const reporter = new GatewayReporter(registry, { address: receiver.address }, { warn() {} }, '10.0.0.9');
    reporter.start();
    registry.counter('tick').inc();
    await new Promise((r) => setTimeout(r, 350));
    expect(
      receiver
        .posts()
        .flatMap((p) => p.records)
        .some((r) => 'tick' in r),
    ).toBe(true);
    registry.counter('late').inc();
    await reporter.stop();
    expect(
      receiver
        .posts()
        .flatMap((p) => p.records)
        .some((r) => 'late' in r),
    ).toBe(true);
  });
});
