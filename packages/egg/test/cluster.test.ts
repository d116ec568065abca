// Cluster mode, egg's default deployment: a master, an agent and 2 app workers (real processes,
// egg 3's egg-cluster / egg 4's @eggjs/cluster, as egg-scripts starts them), all writing one log
// directory under load.
// Runs the built plugin (dist), as production does.
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
