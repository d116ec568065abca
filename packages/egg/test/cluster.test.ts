// Cluster mode, egg's default deployment: a master, an agent and 2 app workers (real processes,
// egg 3's egg-cluster / egg 4's @eggjs/cluster, as egg-scripts starts them), all writing one log
// directory under load.
// Runs the built plugin (dist), as production does.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, freePort, waitFor, type EggCluster } from './cluster-env';
import { digestOf, linesOf, rawRequest, tracerLogRoot } from './egg-env';

const WORKERS = 2;
const REQUESTS = 300;
const CONCURRENCY = 20;

const traceIdOf = (i: number): string => '0a0fe92715674779853271' + String(i).padStart(8, '0');

describe.each(['egg3', 'egg4'] as const)('@sofa-tracer/egg in cluster mode (%s, 2 workers)', (major) => {
  const logs = tracerLogRoot();
  let cluster: EggCluster | undefined;
  let port = 0;
  let metricsPort = 0;

  beforeAll(async () => {
    metricsPort = await freePort();
    cluster = await startCluster(major, WORKERS, {
      SOFA_TRACER_LOGGING_PATH: logs.dir,
      SOFA_TRACER_STAT_LOG_INTERVAL: '1',
      EGG_SOFA_TEST_DIR: logs.dir,
      EGG_SOFA_METRICS_PORT: String(metricsPort),
      EGG_SOFA_SCHEDULE_TIMER: '1',
    });
    port = cluster.port;
  }, 90000);

  afterAll(async () => {
    await cluster?.stop();
    logs.cleanup();
  }, 60000);

  it('every request is logged, once, as a whole JSON line, by both workers writing one file', async () => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < REQUESTS) {
        const i = next++;
        const res = await rawRequest(port, '/pid', { 'X-B3-TraceId': traceIdOf(i), 'X-B3-SpanId': '0.1' });
        expect(res.status).toBe(200);
        const body = res.body as { pid: number; traceId: string };
        expect(body.traceId).toBe(traceIdOf(i));
        cluster!.pids.add(body.pid);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(cluster!.pids.size).toBe(WORKERS);

    const digest = join(logs.dir, 'tracelog', 'egg-digest.log');
    await waitFor(() => linesOf(digest).length >= REQUESTS, `${REQUESTS} digest lines`);
    const raw = linesOf(digest);
    // no torn or interleaved line: each one parses alone and is one request's
    const lines = digestOf(digest);
    expect(lines).toHaveLength(raw.length);
    const seen = lines.filter((l) => l.route === '/pid').map((l) => l.traceId as string);
    expect(seen).toHaveLength(REQUESTS);
    expect(new Set(seen)).toEqual(new Set(Array.from({ length: REQUESTS }, (_, i) => traceIdOf(i))));
    for (const l of lines.filter((x) => x.route === '/pid'))
      expect(l).toMatchObject({ spanId: '0.1.1', 'result.code': '200', 'local.app': 'egg-sofa-bff' });

    // the stat rows of both workers add up to every request
    const stat = join(logs.dir, 'tracelog', 'egg-stat.log');
    const counted = (): number =>
      linesOf(stat)
        .map((l) => JSON.parse(l) as { 'stat.key': { route?: string }; count: number })
        .filter((r) => r['stat.key'].route === '/pid')
        .reduce((n, r) => n + r.count, 0);
    await waitFor(() => counted() >= REQUESTS, 'stat counts of both workers');
    expect(counted()).toBe(REQUESTS);

    // egg-logger's own lines carry the trace ids too, in every worker
    const web = join(logs.dir, 'egg', 'egg-sofa-bff-web.log');
    await waitFor(
      () => linesOf(web).filter((l) => l.endsWith('pid asked')).length >= REQUESTS,
      'web log lines',
    );
    const webLines = linesOf(web).filter((l) => l.endsWith('pid asked'));
    for (const l of webLines) expect(l).toMatch(/\/0a0fe92715674779853271\d{8}\/[\d.]+ms GET \/pid\]/);
  }, 90000);

  it('one /metrics on the agent sums the Lookout metrics of both workers', async () => {
    // every worker served part of the requests above; only the sum of both covers them all
    const res = await rawRequest(metricsPort, '/metrics');
    expect(res.status).toBe(200);
    const pidRequests = res.text
      .split('\n')
      .filter((l) => l.startsWith('http_server_requests_total{') && l.includes('route="/pid"'))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    expect(pidRequests).toBe(REQUESTS);
    expect((await rawRequest(metricsPort, '/other')).status).toBe(404);
  }, 30000);

  it("the schedule run fired by egg-schedule's timer is a root span, and its log line carries its trace id", async () => {
    const biz = join(logs.dir, 'tracelog', 'biz-digest.log');
    await waitFor(() => digestOf(biz).some((l) => l.method === 'report'), 'the schedule line');
    const runs = digestOf(biz).filter((l) => l.method === 'report');
    expect(runs).toHaveLength(1); // type "worker": one worker runs it
    expect(runs[0]).toMatchObject({
      spanId: '0',
      'result.code': '00',
      error: '',
      'local.app': 'egg-sofa-bff',
    });
    const web = join(logs.dir, 'egg', 'egg-sofa-bff-web.log');
    await waitFor(
      () =>
        linesOf(web).some(
          (l) => l.includes(`/${runs[0]!.traceId as string}/`) && l.endsWith('report schedule ran'),
        ),
      'the schedule log line',
    );
  }, 30000);
});

// Rolling with N writers, proven with egg's own workers: both app workers write one hourly
// egg-digest.log under load while their log clock (the `logClock` option, driven by the test
// through a file, see the fixture's config) crosses an hour boundary.
describe.each(['egg3', 'egg4'] as const)('@sofa-tracer/egg in cluster mode (%s): an hourly roll under load', (major) => {
  const logs = tracerLogRoot();
  const clockFile = join(logs.dir, 'drill-clock');
  // the drill's hour: local 2031-05-06 13:00–14:00, rolled name suffix _13
  const drill = (h: number, m: number, s: number): number => new Date(2031, 4, 6, h, m, s).getTime();
  let cluster: EggCluster | undefined;

  beforeAll(async () => {
    writeFileSync(clockFile, String(drill(13, 30, 0) - Date.now()));
    cluster = await startCluster(major, WORKERS, {
      SOFA_TRACER_LOGGING_PATH: logs.dir,
      SOFA_TRACER_ROLLING_POLICY: 'hourly',
      EGG_SOFA_TEST_DIR: logs.dir,
      EGG_SOFA_DRILL_CLOCK_FILE: clockFile,
    });
  }, 90000);

  afterAll(async () => {
    await cluster?.stop();
    logs.cleanup();
  }, 60000);

  it('rolls exactly once: no torn line, no line lost or doubled, old-hour lines in the rolled file', async () => {
    const port = cluster!.port;
    const sent: { i: number; start: number; end: number; pid: number }[] = [];
    let next = 0;
    let until = Infinity;
    const worker = async (): Promise<void> => {
      while (Date.now() < until) {
        const i = next++;
        const start = Date.now();
        const res = await rawRequest(port, '/pid', { 'X-B3-TraceId': traceIdOf(i), 'X-B3-SpanId': '0.1' });
        expect(res.status).toBe(200);
        const pid = (res.body as { pid: number }).pid;
        cluster!.pids.add(pid);
        sent.push({ i, start, end: Date.now(), pid });
      }
    };
    // both workers serve and have the file open in the drill's 13:30, then the clock jumps to
    // 2 s before 14:00 and the load goes on for 2 s past it
    until = Date.now() + 1000;
    await Promise.all(Array.from({ length: 10 }, worker));
    expect(cluster!.pids.size).toBe(WORKERS);
    const boundary = Date.now() + 2000; // real time at which the drill clock reads 14:00:00
    writeFileSync(clockFile, String(drill(14, 0, 0) - boundary));
    until = boundary + 2000;
    await Promise.all(Array.from({ length: 10 }, worker));

    const root = join(logs.dir, 'tracelog');
    const rolledPath = join(root, 'egg-digest.log.2031-05-06_13');
    const activePath = join(root, 'egg-digest.log');
    const traceIdsIn = (p: string): string[] =>
      digestOf(p)
        .filter((l) => l.route === '/pid')
        .map((l) => l.traceId as string);
    await waitFor(
      () => traceIdsIn(rolledPath).length + traceIdsIn(activePath).length >= sent.length,
      `${sent.length} digest lines in the two files`,
    );
    // every line of both files parses alone (digestOf parses each), nothing lost or doubled
    for (const p of [rolledPath, activePath]) expect(digestOf(p)).toHaveLength(linesOf(p).length);
    const rolled = traceIdsIn(rolledPath);
    const active = traceIdsIn(activePath);
    expect([...rolled, ...active].sort()).toEqual(sent.map((r) => traceIdOf(r.i)).sort());
    // rolled exactly once: no second rolled name, one rename reported in all the workers' self-log
    expect(readdirSync(root).filter((f) => f.startsWith('egg-digest.log.'))).toEqual([
      'egg-digest.log.2031-05-06_13',
    ]);
    const renames = linesOf(join(root, 'tracer-self.log')).filter((l) => l.includes(`${activePath} -> `));
    expect(renames).toHaveLength(1);
    // lines of requests answered well before the boundary are in the rolled file, of requests
    // started after it in the new one; both workers wrote on each side
    const rolledSet = new Set(rolled);
    for (const r of sent.filter((x) => x.end < boundary - 500)) expect(rolledSet.has(traceIdOf(r.i))).toBe(true);
    for (const r of sent.filter((x) => x.start > boundary + 100)) expect(rolledSet.has(traceIdOf(r.i))).toBe(false);
    const pidOf = new Map(sent.map((r) => [traceIdOf(r.i), r.pid]));
    expect(new Set(rolled.map((t) => pidOf.get(t))).size).toBe(WORKERS);
    expect(new Set(active.map((t) => pidOf.get(t))).size).toBe(WORKERS);
  }, 90000);
});
