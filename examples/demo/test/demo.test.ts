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
// reporter is switched on, pointed at a local receiver, so that path is checked too.

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
  let stdout = '';
  let stderr = '';
  let status: number | null = null;
  let traceId = '';

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

    const child = spawn(process.execPath, [join(__dirname, '..', 'index.js')], {
      env: {
        ...process.env,
        DEMO_LOG_DIR: logRoot,
        SOFA_TRACER_ZIPKIN_BASE_URL: zipkinUrl,
        // a loaded CI machine may need more than the default 3 s to flush at close
        SOFA_TRACER_ZIPKIN_CLOSE_TIMEOUT_MS: '20000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill(), 100_000);
    status = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    if (status !== 0) console.error(stdout, stderr);
    traceId = /^trace ([0-9a-f]+): /m.exec(stdout)?.[1] ?? '';
  }, 110_000);

  afterAll(async () => {
    await new Promise((resolve) => zipkin.close(resolve));
    rmSync(logRoot, { recursive: true, force: true });
  });

  it('exits 0 by itself, prints the log root and the Zipkin target', () => {
    expect(status).toBe(0);
    expect(stdout).toContain(`log root: ${logRoot}`);
    expect(stdout).toContain(`zipkin: every service also reports its spans to ${zipkinUrl}`);
  });

  it('ran the Kafka hop (librdkafka mock broker available)', () => {
    expect(stdout).not.toContain('Kafka hop off');
    expect(stdout).toMatch(/demo-orders {3}http:\/\/127\.0\.0\.1:\d+/);
  });

  it('prints one trace through express, koa, egg, Nest, fastify and Kafka, every hop continued', () => {
    const lines = stdout.split('\n');
    const header = lines.findIndex((l) => l === `trace ${traceId}: 17 spans in ${APPS.join(', ')}`);
    expect(header).toBeGreaterThan(-1);
    const tree = lines.slice(header + 1, lines.indexOf('', header));
    expect(tree).toHaveLength(EXPECTED_TREE.length);
    tree.forEach((line, i) => expect(line).toMatch(toRegExp(EXPECTED_TREE[i])));
  });

  it("on disk, each app's server span is the child of the caller's client span for that URL", () => {
    // [callee app, its server log type, its route, caller app]
    const hops: [string, string, string, string][] = [
      ['demo-koa', 'koa', '/products/:productId', 'demo-gateway'],
      ['demo-egg', 'egg', '/bff/products/:id', 'demo-koa'],
      ['demo-backend', 'express', '/items/:id', 'demo-egg'],
      ['demo-nest', 'nest', '/stock/:id', 'demo-egg'],
      ['demo-fastify', 'fastify', '/prices/:id', 'demo-gateway'],
      ['demo-orders', 'express', '/orders/:id', 'demo-gateway'],
    ];
    for (const [app, logType, route, caller] of hops) {
      const [server] = digest(logRoot, app, logType, traceId).filter((d) => d.route === route);
      expect({ app, route, kind: server?.['span.kind'] }).toEqual({ app, route, kind: 'server' });
      const parentId = String(server.spanId).replace(/\.\d+$/, '');
      const client = digest(logRoot, caller, 'httpclient', traceId).find((d) => d.spanId === parentId);
      expect({ app, parent: client?.['request.url'] }).toEqual({ app, parent: server['request.url'] });
    }
    const [producer] = digest(logRoot, 'demo-orders', 'kafkamq-send', traceId);
    const [consumer] = digest(logRoot, 'demo-orders', 'kafkamq-consume', traceId);
    expect(consumer.spanId).toBe(`${producer.spanId}.1`);
    expect(consumer['kafka.topic']).toBe(producer['kafka.topic']);
  });

  it('wrote each service its own logs under the one root, the failing call included', () => {
    expect(readdirSync(logRoot).sort()).toEqual(APPS);
    const boom = readFileSync(join(logRoot, 'demo-backend', 'tracelog', 'express-digest.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Digest)
      .find((d) => d.route === '/boom');
    expect(boom?.['result.code']).toBe('500');
    expect(boom?.error).toContain('inventory service unavailable');
  });

  it("prints egg-logger's line for the request, carrying the same trace id", () => {
    expect(stdout).toMatch(
      new RegExp(
        `^ {2}\\S+ \\S+ INFO \\d+ \\[-/127\\.0\\.0\\.1/${traceId}/[\\d.]+ms GET /bff/products/7\\] product 7 requested$`,
        'm',
      ),
    );
  });

  it('printed Lookout metrics from /metrics', () => {
    expect(stdout).toMatch(/metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/);
    expect(stdout).toMatch(
      /^ {2}http_server_requests_total\{app="demo-gateway",method="GET",route="\/checkout\/:id",status_code="200"/m,
    );
  });

  it('sent the same trace to Zipkin: one trace id, every service, every parent present', () => {
    const trace = zipkinSpans.filter(
      (s) => s.tags['origin.span.id'] !== undefined && s.traceId === traceId.padStart(32, '0'),
    );
    expect(trace).toHaveLength(17);
    expect([...new Set(trace.map((s) => s.localEndpoint.serviceName))].sort()).toEqual(APPS);
    const ids = new Set(trace.map((s) => s.id));
    expect(trace.filter((s) => s.parentId === undefined).map((s) => s.tags['origin.span.id'])).toEqual(['0']);
    for (const s of trace) if (s.parentId !== undefined) expect(ids).toContain(s.parentId);
    expect(trace.filter((s) => s.kind === 'PRODUCER' || s.kind === 'CONSUMER')).toHaveLength(2);
  });
});
