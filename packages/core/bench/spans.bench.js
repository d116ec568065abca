'use strict';
// Span throughput of the real tracer on one core (not a test: no assertions, prints figures).
//
//   npm run build -w packages/core && node packages/core/bench/spans.bench.js [seconds-per-scenario]
//
// Measures the synchronous work a traced request pays for its spans: startSpan → tags →
// finish → listeners → digest encode → enqueue on the async writer → stat aggregation. Spans are
// run in batches smaller than the writer's queue; between batches the writer drains to disk
// (awaited, not timed), so no line is dropped and the figure is the request-path cost only.
// Logs go to a temp dir that is removed at the end. Ends with one `RESULT {json}` line that
// bench/run.js --core puts into bench/results/latest.json.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const core = require('../dist/index.js');

const SECONDS = Number(process.argv[2]) || 2;
const BATCH = 4000;
const CAPACITY = 16384;

// The HTTP log types come from core's http helpers; the fallback keeps the bench runnable if
// they are not exported (same fields as Java's Spring MVC / HttpClient digests).
function serverLogType() {
  if (typeof core.createHttpServerLogType === 'function') return core.createHttpServerLogType('benchserver');
  return {
    name: 'benchserver',
    digestFile: 'benchserver-digest.log',
    statFile: 'benchserver-stat.log',
    digestFields: [
      { key: 'request.url', type: 'string' },
      { key: 'method', type: 'string' },
      { key: 'req.size.bytes', type: 'number', fallback: -1 },
      { key: 'resp.size.bytes', type: 'number', fallback: -1 },
      { key: 'error', type: 'string' },
      { key: 'route', type: 'string' },
    ],
    statKeyFields: ['route', 'method'],
    isSuccess: (span) => /^[12]/.test(span.resultCode),
  };
}

function clientLogType() {
  if (core.HTTP_CLIENT_LOG_TYPE) return core.HTTP_CLIENT_LOG_TYPE;
  return {
    name: 'httpclient',
    digestFile: 'httpclient-digest.log',
    statFile: 'httpclient-stat.log',
    digestFields: [
      { key: 'request.url', type: 'string' },
      { key: 'method', type: 'string' },
      { key: 'req.size.bytes', type: 'number', fallback: -1 },
      { key: 'resp.size.bytes', type: 'number', fallback: -1 },
      { key: 'remote.app', type: 'string' },
    ],
    statKeyFields: ['remote.host', 'method'],
    isSuccess: (span) => /^[12]/.test(span.resultCode),
  };
}

// One request's server span, as the express plugin records it.
function serverSpan(tracer, i) {
  const span = tracer.startSpan('GET /orders/:id', {
    kind: 'server',
    logType: 'benchserver',
    childOf: null,
    tags: { 'request.url': 'http://127.0.0.1:3000/orders/' + (i & 1023), method: 'GET', route: '/orders/:id', 'req.size.bytes': 0 },
  });
  span.setTag('resp.size.bytes', 27);
  span.setResultCode(200);
  span.finish();
  return 1;
}

// A server span with one outgoing client call under it (the gateway shape): two spans.
function serverWithClient(tracer, i) {
  const server = tracer.startSpan('GET /checkout/:id', {
    kind: 'server',
    logType: 'benchserver',
    childOf: null,
    tags: { 'request.url': 'http://127.0.0.1:3000/checkout/' + (i & 1023), method: 'GET', route: '/checkout/:id', 'req.size.bytes': 0 },
  });
  const client = tracer.startSpan('GET', {
    kind: 'client',
    logType: 'httpclient',
    childOf: server,
    tags: { 'request.url': 'http://127.0.0.1:4000/items/' + (i & 1023), method: 'GET', 'remote.host': '127.0.0.1:4000', 'req.size.bytes': 0 },
  });
  client.setTag('resp.size.bytes', 64);
  client.setResultCode(200);
  client.finish();
  server.setTag('resp.size.bytes', 27);
  server.setResultCode(200);
  server.finish();
  return 2;
}

// Manual business span with no plugin fields (biz-digest.log).
function bizSpan(tracer) {
  tracer.startSpan('compute-price', { childOf: null }).finish();
  return 1;
}

const cpuMicros =
  typeof process.threadCpuUsage === 'function'
    ? () => {
        const u = process.threadCpuUsage();
        return u.user + u.system;
      }
    : () => {
        const u = process.cpuUsage();
        return u.user + u.system;
      };

async function measure(name, fn, options = {}) {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sofa-span-bench-'));
  const tracer = core.createTracer({ appName: 'bench', logDir, asyncQueueCapacity: CAPACITY, ...options });
  tracer.registerLogType(serverLogType());
  tracer.registerLogType(clientLogType());
  let i = 0;
  // Warm-up: let V8 optimise the path before timing it.
  for (let b = 0; b < 10; b++) {
    for (let k = 0; k < BATCH / 2; k++) fn(tracer, i++);
    await tracer.flush();
  }
  let spans = 0;
  let ns = 0;
  const until = Date.now() + SECONDS * 1000;
  while (Date.now() < until) {
    // CPU time of this thread, not wall time: on a shared machine other processes stretch wall
    // time, not this thread's CPU time (process-wide CPU on Node < 23.9, which lacks threadCpuUsage)
    const t0 = cpuMicros();
    for (let k = 0; k < BATCH; k += 2) spans += fn(tracer, i++);
    ns += (cpuMicros() - t0) * 1000;
    await tracer.flush(); // the writer drains between batches (untimed)
  }
  const stats = tracer.fileStats();
  await tracer.close();
  let dropped = 0;
  for (const s of Object.values(stats)) dropped += s.dropped;
  fs.rmSync(logDir, { recursive: true, force: true });
  const perSec = spans / (ns / 1e9);
  const r = { name, spansPerSec: Math.round(perSec), nsPerSpan: Math.round(ns / spans), spans, dropped };
  console.log(
    `${name.padEnd(46)} ${Math.round(perSec).toLocaleString('en-US').padStart(10)} spans/s  ` +
      `${(ns / spans / 1000).toFixed(2)} µs/span  (${spans.toLocaleString('en-US')} spans, ${dropped} dropped)`,
  );
  return r;
}

async function main() {
  console.log(
    `span throughput, one core, node ${process.version}, ${SECONDS}s per scenario (synchronous part, ` +
      `${typeof process.threadCpuUsage === 'function' ? 'thread' : 'process'} CPU time)`,
  );
  const results = [];
  results.push(await measure('server span, 6 fields, digest + stat', serverSpan));
  results.push(await measure('server + client span (gateway request)', serverWithClient));
  results.push(await measure('biz span, no tags', bizSpan));
  results.push(await measure('server span, unsampled (stat only)', serverSpan, { samplerPercentage: 0 }));
  console.log('RESULT ' + JSON.stringify({ bench: 'spans', results }));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
