'use strict';
// Per-span cost of the Lookout span listener (RED metrics from finished spans).
// Run after a build: `npm run build && node packages/lookout/bench/span-listener.bench.js`.
// Reads packages/*/dist. Prints ns per span for each case; no assertions (numbers, not tests).
const path = require('node:path');
const os = require('node:os');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..', '..');
const lookout = require(path.join(root, 'lookout', 'dist', 'index.js'));
const core = require(path.join(root, 'core', 'dist', 'index.js'));

const ITER = Number(process.env.BENCH_ITER || 2_000_000);

function span(kind, tags, resultCode, extra) {
  return {
    operationName: 'op',
    kind,
    logType: extra?.logType ?? 'express',
    localApp: 'shop',
    startTime: 0,
    endTime: 0,
    durationMs: extra?.durationMs ?? 12.5,
    resultCode,
    error: undefined,
    tags,
    logs: [],
    threadName: 'main',
    finished: true,
    context: () => undefined,
  };
}

function spansFor(kind) {
  const out = [];
  const routes = ['/users/:id', '/orders', '/orders/:id', '/health', '/items/:sku', '/cart', '/login', '/search'];
  const statuses = ['200', '200', '200', '201', '404', '500'];
  for (let i = 0; i < 64; i++) {
    const r = routes[i % routes.length];
    const s = statuses[i % statuses.length];
    if (kind === 'server') out.push(span('server', { method: i % 5 ? 'GET' : 'POST', route: r, 'request.url': 'http://x' + r }, s, { durationMs: (i % 20) + 0.3 }));
    else if (kind === 'client') out.push(span('client', { method: 'GET', 'request.url': 'http://api', 'remote.host': 'api-' + (i % 4) + ':80' }, s, { logType: 'httpclient' }));
    else out.push(span('producer', { 'kafka.topic': 't' }, i % 10 ? '00' : '99', { logType: 'kafka-producer', durationMs: 2 }));
  }
  if (kind === 'generic') for (const s of out) s.operationName = 'send topic-' + (out.indexOf(s) % 4);
  return out;
}

function measure(name, listener, spans, iter = ITER) {
  const n = spans.length;
  for (let i = 0; i < 200_000; i++) listener.onSpanReport(spans[i % n]);
  // Best of 3: the machine's other work only ever adds time.
  let ns = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iter; i++) listener.onSpanReport(spans[i % n]);
    ns = Math.min(ns, Number(process.hrtime.bigint() - t0) / iter);
  }
  console.log(`${name.padEnd(58)} ${ns.toFixed(1).padStart(8)} ns/span`);
  return ns;
}

function newListener(opts) {
  const registry = new lookout.Registry({ commonTags: { app: 'shop' }, logger: { warn() {} } });
  return { registry, listener: new lookout.SpanMetricsListener(registry, opts) };
}

console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu?'} x${os.cpus().length}, ${ITER} spans per case`);
const results = {};
results.server = measure('HTTP server spans (64 label combinations, steady state)', newListener().listener, spansFor('server'));
results.serverClass = measure('HTTP server spans, status class labels', newListener({ statusLabel: 'class' }).listener, spansFor('server'));
results.client = measure('HTTP client spans', newListener().listener, spansFor('client'));
results.generic = measure('other spans (kafka-producer, generic family)', newListener().listener, spansFor('generic'));

// Cardinality guard at work: every span has a new raw route, all collapse to OTHER.
{
  const { listener } = newListener({ maxLabelValues: 10 });
  const flood = [];
  for (let i = 0; i < 4096; i++) flood.push(span('server', { method: 'GET', route: '/scan/' + i, 'request.url': 'u' }, '404'));
  results.overflow = measure('route flood past the cap (collapsed to OTHER)', listener, flood);
}

// End to end: a real tracer's startSpan + finish, without and with the listener (digest logs on
// disk). Rounds alternate and the medians are compared, because disk and GC noise dwarf the
// listener's share in any single run.
{
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookout-bench-'));
  const tracer = core.createTracer({ appName: 'bench', logDir: dir, statLogInterval: 3600 });
  const E2E = Math.min(ITER, 100_000);
  const tags = { method: 'GET', route: '/users/:id', 'request.url': 'http://x/u' };
  const once = () => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < E2E; i++) tracer.startSpan('GET /users/:id', { kind: 'server', tags }).setResultCode(200).finish();
    return Number(process.hrtime.bigint() - t0) / E2E;
  };
  const { listener } = newListener();
  const without = [];
  const withL = [];
  once();
  for (let round = 0; round < 7; round++) {
    without.push(once());
    tracer.addSpanListener(listener);
    withL.push(once());
    tracer.removeSpanListener(listener);
  }
  const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
  const w = median(without);
  const l = median(withL);
  console.log(`${'tracer startSpan+finish, no listener (median of 7)'.padEnd(58)} ${w.toFixed(1).padStart(8)} ns/span`);
  console.log(`${'tracer startSpan+finish, with the lookout listener'.padEnd(58)} ${l.toFixed(1).padStart(8)} ns/span`);
  console.log(`${'=> listener share of a traced span'.padEnd(58)} ${(l - w).toFixed(1).padStart(8)} ns/span`);
  tracer.close().then(() => fs.rmSync(dir, { recursive: true, force: true }));
}
