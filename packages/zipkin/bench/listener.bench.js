'use strict';
// Cost of the Zipkin span listener on the request path (ns per finished span): a sampled span
// (pushed for the encoding pass), the queue-full drop path (collector down long enough), unsampled
// spans — and the encoding pass itself (off the request path, once per span, same thread).
// Run after a build: `npm run build && node packages/zipkin/bench/listener.bench.js`.
// In-process CPU figures; the machine's other work only ever adds time (best of 3 rounds).
const { zipkin, span, deadPort } = require('./common');

const ITER = Number(process.env.BENCH_ITER || 200_000);

function measure(name, makeReporter, spans) {
  const n = spans.length;
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const reporter = makeReporter();
    for (let i = 0; i < 20_000; i++) reporter.onSpanReport(spans[i % n]); // warm-up (and fill, for the drop case)
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ITER; i++) reporter.onSpanReport(spans[i % n]);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / ITER);
    void reporter.close();
  }
  console.log(`${name.padEnd(74)} ${best.toFixed(0).padStart(7)} ns/span`);
  return Math.round(best);
}

(async () => {
  const port = await deadPort();
  const sampled = Array.from({ length: 64 }, (_, i) => span(i));
  const unsampled = Array.from({ length: 64 }, (_, i) => span(i, false));
  const base = {
    baseUrl: `http://127.0.0.1:${port}`,
    flushIntervalMs: 600_000,
    closeTimeoutMs: 0,
    reportIntervalMs: 600_000,
    selfLog: { info() {}, warn() {}, error() {}, flush: async () => {}, close: async () => {} },
  };
  const result = {
    listenerNs: measure(
      'listener, sampled span (request path: a push)',
      () => zipkin.zipkinReporter({ ...base, maxQueueSpans: 10_000_000, maxQueueBytes: 1024 * 1024 * 1024 }),
      sampled,
    ),
    encodeNs: measure(
      'encoding pass, per span: map + JSON + byte length (after the I/O)',
      () => {
        const ep = zipkin.localEndpointJson('shop', '10.0.0.1');
        return { onSpanReport: (s) => Buffer.byteLength(zipkin.encodeZipkinSpan(s, ep)), close() {} };
      },
      sampled,
    ),
    dropNs: measure(
      'listener, queue full (collector down): counted drop',
      () => zipkin.zipkinReporter({ ...base, maxQueueSpans: 1000 }),
      sampled,
    ),
    unsampledNs: measure('listener, unsampled span', () => zipkin.zipkinReporter(base), unsampled),
  };
  const one = JSON.stringify(zipkin.toZipkinSpan(sampled[0], '10.0.0.1'));
  console.log(`encoded server span: ${Buffer.byteLength(one)} bytes; node ${process.version}`);
  console.log('RESULT ' + JSON.stringify({ node: process.version, ...result }));
})();
