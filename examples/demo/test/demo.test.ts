import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

// The demo is the README's main command: run it exactly as a user does (a child process using
// the built packages) and check what it prints and writes. The Kafka hop needs librdkafka's mock
// broker (`bash tools/kafka/install.sh`, done by tools/setup-system.sh in CI); the opt-in Zipkin
// reporter is switched on, pointed at a local receiver, so that path is checked too. A second
// run points the demo at an unreachable broker: it must still trace every other service.

const APPS = [
  'demo-backend',
  'demo-egg',
  'demo-fastify',
  'demo-gateway',
  'demo-koa',
  'demo-nest',
  'demo-orders',
];

// What the demo prints for GET /checkout/7; P is a port, N a time in ms.
const EXPECTED_TREE = `
0 server demo-gateway [express] GET /checkout/:id (http://127.0.0.1:P/checkout/7) 200 Nms
├─ 0.1 client demo-gateway [httpclient] GET http://127.0.0.1:P/products/7 200 Nms
│  └─ 0.1.1 server demo-koa [koa] GET /products/:productId (http://127.0.0.1:P/products/7) 200 Nms
│     └─ 0.1.1.1 client demo-koa [httpclient] GET http://127.0.0.1:P/bff/products/7 200 Nms
│        └─ 0.1.1.1.1 server demo-egg [egg] GET /bff/products/:id (http://127.0.0.1:P/bff/products/7) 200 Nms
│           ├─ 0.1.1.1.1.1 client demo-egg [httpclient] GET http://127.0.0.1:P/items/7 200 Nms
│           │  └─ 0.1.1.1.1.1.1 server demo-backend [express] GET /items/:id (http://127.0.0.1:P/items/7) 200 Nms
│           └─ 0.1.1.1.1.2 client demo-egg [httpclient] GET http://127.0.0.1:P/stock/7 200 Nms
│              └─ 0.1.1.1.1.2.1 server demo-nest [nest] GET /stock/:id (http://127.0.0.1:P/stock/7) 200 Nms
│                 └─ 0.1.1.1.1.2.1.1 internal demo-nest [biz] StockService.lookup 00 Nms
├─ 0.2 client demo-gateway [httpclient] GET http://127.0.0.1:P/prices/7 200 Nms
│  └─ 0.2.1 server demo-fastify [fastify] GET /prices/:id (http://127.0.0.1:P/prices/7) 200 Nms
└─ 0.3 client demo-gateway [httpclient] GET http://127.0.0.1:P/orders/7 200 Nms
   └─ 0.3.1 server demo-orders [express] GET /orders/:id (http://127.0.0.1:P/orders/7) 200 Nms
      └─ 0.3.1.1 producer demo-orders [kafkamq-send] 00 Nms
         └─ 0.3.1.1.1 consumer demo-orders [kafkamq-consume] 00 Nms
            └─ 0.3.1.1.1.1 internal demo-orders [biz] ship 00 Nms
`
  .trim()
  .split('\n');

// The same request without the Kafka hop: the gateway never calls demo-orders, so no 0.3 branch
// and 0.2 is the last child.
const EXPECTED_TREE_NO_KAFKA = `
0 server demo-gateway [express] GET /checkout/:id (http://127.0.0.1:P/checkout/7) 200 Nms
├─ 0.1 client demo-gateway [httpclient] GET http://127.0.0.1:P/products/7 200 Nms
│  └─ 0.1.1 server demo-koa [koa] GET /products/:productId (http://127.0.0.1:P/products/7) 200 Nms
│     └─ 0.1.1.1 client demo-koa [httpclient] GET http://127.0.0.1:P/bff/products/7 200 Nms
│        └─ 0.1.1.1.1 server demo-egg [egg] GET /bff/products/:id (http://127.0.0.1:P/bff/products/7) 200 Nms
│           ├─ 0.1.1.1.1.1 client demo-egg [httpclient] GET http://127.0.0.1:P/items/7 200 Nms
│           │  └─ 0.1.1.1.1.1.1 server demo-backend [express] GET /items/:id (http://127.0.0.1:P/items/7) 200 Nms
│           └─ 0.1.1.1.1.2 client demo-egg [httpclient] GET http://127.0.0.1:P/stock/7 200 Nms
│              └─ 0.1.1.1.1.2.1 server demo-nest [nest] GET /stock/:id (http://127.0.0.1:P/stock/7) 200 Nms
│                 └─ 0.1.1.1.1.2.1.1 internal demo-nest [biz] StockService.lookup 00 Nms
└─ 0.2 client demo-gateway [httpclient] GET http://127.0.0.1:P/prices/7 200 Nms
   └─ 0.2.1 server demo-fastify [fastify] GET /prices/:id (http://127.0.0.1:P/prices/7) 200 Nms
`
  .trim()
  .split('\n');

// [callee app, its server log type, its route, caller app]: every HTTP hop of GET /checkout/7
const HTTP_HOPS: [string, string, string, string][] = [
  ['demo-koa', 'koa', '/products/:productId', 'demo-gateway'],
  ['demo-egg', 'egg', '/bff/products/:id', 'demo-koa'],
  ['demo-backend', 'express', '/items/:id', 'demo-egg'],
  ['demo-nest', 'nest', '/stock/:id', 'demo-egg'],
  ['demo-fastify', 'fastify', '/prices/:id', 'demo-gateway'],
];
const ORDERS_HOP: [string, string, string, string] = [
  'demo-orders',
  'express',
  '/orders/:id',
  'demo-gateway',
];

const toRegExp = (line: string): RegExp =>
  new RegExp(
    '^' +
      line
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/:P\//g, ':\\d+/')
        .replace(/ Nms$/, ' \\d+ms') +
      '$',
  );

type Digest = Record<string, string | number>;

/** The digest lines of one app's log type, for one trace. */
function digest(logRoot: string, app: string, logType: string, traceId: string): Digest[] {
  const text = readFileSync(join(logRoot, app, 'tracelog', `${logType}-digest.log`), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Digest)
    .filter((d) => d.traceId === traceId);
}

interface DemoRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The trace id the demo printed the tree of (GET /checkout/7). */
  traceId: string;
}

/** Runs the demo as a user does (`node examples/demo/index.js`) until it exits by itself. */
async function runDemo(env: NodeJS.ProcessEnv): Promise<DemoRun> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'index.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill(), 100_000);
  const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  if (status !== 0) console.error(stdout, stderr);
  return { status, stdout, stderr, traceId: /^trace ([0-9a-f]+): /m.exec(stdout)?.[1] ?? '' };
}

/** The printed tree of the trace: its header line names the apps, each line matches `expected`. */
function expectPrintedTree(run: DemoRun, apps: string[], expected: string[]): void {
  const lines = run.stdout.split('\n');
  const header = lines.findIndex(
    (l) => l === `trace ${run.traceId}: ${expected.length} spans in ${apps.join(', ')}`,
  );
  expect(header).toBeGreaterThan(-1);
  const tree = lines.slice(header + 1, lines.indexOf('', header));
  expect(tree).toHaveLength(expected.length);
  tree.forEach((line, i) => expect(line).toMatch(toRegExp(expected[i])));
}

/** On disk, each callee's server span is the child of its caller's client span for that URL. */
function expectHttpHops(logRoot: string, traceId: string, hops: [string, string, string, string][]): void {
  for (const [app, logType, route, caller] of hops) {
    const [server] = digest(logRoot, app, logType, traceId).filter((d) => d.route === route);
    expect({ app, route, kind: server?.['span.kind'] }).toEqual({ app, route, kind: 'server' });
    const parentId = String(server.spanId).replace(/\.\d+$/, '');
    const client = digest(logRoot, caller, 'httpclient', traceId).find((d) => d.spanId === parentId);
    expect({ app, parent: client?.['request.url'] }).toEqual({ app, parent: server['request.url'] });
  }
}

/** The backend's failing call (/boom) is in its digest log, with its error. */
function expectFailingCall(logRoot: string): void {
  const boom = readFileSync(join(logRoot, 'demo-backend', 'tracelog', 'express-digest.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Digest)
    .find((d) => d.route === '/boom');
  expect(boom?.['result.code']).toBe('500');
  expect(boom?.error).toContain('inventory service unavailable');
}

/** egg-logger's line for GET /bff/products/7, printed by the demo, carries the trace id. */
function expectEggLoggerLine(run: DemoRun): void {
  expect(run.stdout).toMatch(
    new RegExp(
      `^ {2}\\S+ \\S+ INFO \\d+ \\[-/127\\.0\\.0\\.1/${run.traceId}/[\\d.]+ms GET /bff/products/7\\] product 7 requested$`,
      'm',
    ),
  );
}

/** The gateway's Lookout metrics, read from /metrics and printed. */
function expectMetrics(run: DemoRun): void {
  expect(run.stdout).toMatch(/metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/);
  expect(run.stdout).toMatch(
    /^ {2}http_server_requests_total\{app="demo-gateway",method="GET",route="\/checkout\/:id",status_code="200"/m,
  );
}

interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  kind?: string;
  localEndpoint: { serviceName: string };
  tags: Record<string, string>;
}

describe('examples/demo', () => {
  const logRoot = mkdtempSync(join(tmpdir(), 'demo-test-'));
  const zipkinSpans: ZipkinSpan[] = [];
  let zipkin: Server;
  let zipkinUrl = '';
  let run: DemoRun;

  beforeAll(async () => {
    // a Zipkin v2 receiver: POST /api/v2/spans, JSON list (gzip when asked), 202
    zipkin = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        if (req.method === 'POST' && req.url === '/api/v2/spans') {
          zipkinSpans.push(...(JSON.parse(body.toString('utf8')) as ZipkinSpan[]));
          res.statusCode = 202;
        } else res.statusCode = 404;
        res.end();
      });
    });
    await new Promise<void>((resolve) => zipkin.listen(0, '127.0.0.1', resolve));
    zipkinUrl = `http://127.0.0.1:${(zipkin.address() as AddressInfo).port}`;

    run = await runDemo({
      ...process.env,
      DEMO_LOG_DIR: logRoot,
      SOFA_TRACER_ZIPKIN_BASE_URL: zipkinUrl,
      // a loaded CI machine may need more than the default 3 s to flush at close
      SOFA_TRACER_ZIPKIN_CLOSE_TIMEOUT_MS: '20000',
    });
  }, 110_000);

  afterAll(async () => {
    await new Promise((resolve) => zipkin.close(resolve));
    rmSync(logRoot, { recursive: true, force: true });
  });

  it('exits 0 by itself, prints the log root and the Zipkin target', () => {
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`log root: ${logRoot}`);
    expect(run.stdout).toContain(`zipkin: every service also reports its spans to ${zipkinUrl}`);
  });

  it('ran the Kafka hop (librdkafka mock broker available)', () => {
    expect(run.stdout).not.toContain('Kafka hop off');
    expect(run.stdout).toMatch(/demo-orders {3}http:\/\/127\.0\.0\.1:\d+/);
  });

  it('prints one trace through express, koa, egg, Nest, fastify and Kafka, every hop continued', () => {
    expectPrintedTree(run, APPS, EXPECTED_TREE);
  });

  it("on disk, each app's server span is the child of the caller's client span for that URL", () => {
    expectHttpHops(logRoot, run.traceId, [...HTTP_HOPS, ORDERS_HOP]);
    const [producer] = digest(logRoot, 'demo-orders', 'kafkamq-send', run.traceId);
    const [consumer] = digest(logRoot, 'demo-orders', 'kafkamq-consume', run.traceId);
    expect(consumer.spanId).toBe(`${producer.spanId}.1`);
    expect(consumer['kafka.topic']).toBe(producer['kafka.topic']);
  });

  it('wrote each service its own logs under the one root, the failing call included', () => {
    expect(readdirSync(logRoot).sort()).toEqual(APPS);
    expectFailingCall(logRoot);
  });

  it("prints egg-logger's line for the request, carrying the same trace id", () => {
    expectEggLoggerLine(run);
  });

  it('printed Lookout metrics from /metrics', () => {
    expectMetrics(run);
  });

  it('sent the same trace to Zipkin: one trace id, every service, every parent present', () => {
    const trace = zipkinSpans.filter(
      (s) => s.tags['origin.span.id'] !== undefined && s.traceId === run.traceId.padStart(32, '0'),
    );
    expect(trace).toHaveLength(17);
    expect([...new Set(trace.map((s) => s.localEndpoint.serviceName))].sort()).toEqual(APPS);
    const ids = new Set(trace.map((s) => s.id));
    expect(trace.filter((s) => s.parentId === undefined).map((s) => s.tags['origin.span.id'])).toEqual(['0']);
    for (const s of trace) if (s.parentId !== undefined) expect(ids).toContain(s.parentId);
    expect(trace.filter((s) => s.kind === 'PRODUCER' || s.kind === 'CONSUMER')).toHaveLength(2);
  });
});

// The README's promise: without a broker the demo runs all the same. DEMO_KAFKA_BROKERS points at
// the discard port (nothing listens there, the connection is refused at once); kafkajs gives up
// after its retries and demo-orders starts without Kafka.
describe('examples/demo with an unreachable Kafka broker', () => {
  const logRoot = mkdtempSync(join(tmpdir(), 'demo-test-nokafka-'));
  const APPS_NO_KAFKA = APPS.filter((a) => a !== 'demo-orders');
  let run: DemoRun;

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DEMO_LOG_DIR: logRoot,
      DEMO_KAFKA_BROKERS: '127.0.0.1:9',
    };
    delete env.SOFA_TRACER_ZIPKIN_BASE_URL;
    run = await runDemo(env);
  }, 110_000);

  afterAll(() => rmSync(logRoot, { recursive: true, force: true }));

  it('exits 0 by itself and says the Kafka hop is off, with the reason and how to enable it', () => {
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`log root: ${logRoot}`);
    expect(run.stdout).toMatch(/^ {2}demo-orders {3}Kafka hop off: .*127\.0\.0\.1:9.*; enable it with /m);
    expect(run.stdout).not.toContain('fetch → orders');
  });

  it('prints the trace through express, koa, egg, Nest and fastify, every hop continued, no Kafka branch', () => {
    expectPrintedTree(run, APPS_NO_KAFKA, EXPECTED_TREE_NO_KAFKA);
  });

  it("on disk, each app's server span is the child of the caller's client span for that URL", () => {
    expectHttpHops(logRoot, run.traceId, HTTP_HOPS);
    // the gateway never called demo-orders, and demo-orders wrote no span of the trace
    const gatewayCalls = digest(logRoot, 'demo-gateway', 'httpclient', run.traceId);
    expect(gatewayCalls.map((d) => String(d['request.url']).replace(/:\d+/, ':P'))).toEqual(
      expect.arrayContaining(['http://127.0.0.1:P/products/7', 'http://127.0.0.1:P/prices/7']),
    );
    expect(gatewayCalls.filter((d) => String(d['request.url']).includes('/orders/'))).toEqual([]);
    const ordersLogs = join(logRoot, 'demo-orders', 'tracelog');
    const ordersLines = readdirSync(ordersLogs)
      .filter((f) => f.endsWith('.log'))
      .flatMap((f) => readFileSync(join(ordersLogs, f), 'utf8').split('\n'))
      .filter((l) => l.includes(run.traceId));
    expect(ordersLines).toEqual([]);
  });

  it('wrote each service its own logs under the one root, the failing call included', () => {
    expect(readdirSync(logRoot).sort()).toEqual(APPS);
    expectFailingCall(logRoot);
  });

  it("prints egg-logger's line for the request, carrying the same trace id", () => {
    expectEggLoggerLine(run);
  });

  it('printed Lookout metrics from /metrics', () => {
    expectMetrics(run);
  });
});
