'use strict';
// Memory and CPU of the Zipkin reporter over 30 s at 10 000 sampled spans/s while the collector
// is down (connection refused) — and, for comparison, while it hangs (accepts, never answers).
// Run after a build: `npm run build && node --expose-gc packages/zipkin/bench/collector-down.bench.js`.
// BENCH_SECONDS (default 30) and BENCH_RATE (default 10000) change the run. Default options:
// a 10 000-span / 8 MiB queue, so memory must plateau and drops must be counted exactly.
const http = require('node:http');
const { zipkin, span, deadPort } = require('./common');

const SECONDS = Number(process.env.BENCH_SECONDS || 30);
const RATE = Number(process.env.BENCH_RATE || 10_000);
const TICK_MS = 10;
const quietSelfLog = { info() {}, warn() {}, error() {}, flush: async () => {}, close: async () => {} };

function mb(n) {
  return (n / 1024 / 1024).toFixed(1);
}

async function run(label, baseUrl) {
  const spans = Array.from({ length: 256 }, (_, i) => span(i));
  const reporter = zipkin.zipkinReporter({ baseUrl, selfLog: quietSelfLog, timeoutMs: 2000 });
  if (global.gc) global.gc();
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  let reported = 0;
  let maxHeap = 0;
  let maxRss = 0;
  let maxQueued = 0;
  const samples = [];
  await new Promise((resolve) => {
    const perTick = Math.round((RATE * TICK_MS) / 1000);
    let nextSample = t0 + 1000;
    const timer = setInterval(() => {
      // catch up so the average rate holds on a loaded machine
      const due = Math.min(Math.round(((Date.now() - t0) / 1000) * RATE), SECONDS * RATE);
      const n = Math.max(0, Math.min(due - reported, perTick * 5));
      for (let i = 0; i < n; i++) reporter.onSpanReport(spans[(reported + i) & 255]);
      reported += n;
      const now = Date.now();
      if (now >= nextSample) {
        nextSample += 1000;
        const m = process.memoryUsage();
        maxHeap = Math.max(maxHeap, m.heapUsed);
        maxRss = Math.max(maxRss, m.rss);
        maxQueued = Math.max(maxQueued, reporter.stats().queuedBytes);
        samples.push(Math.round(m.heapUsed / 1024 / 1024));
      }
      if (now - t0 >= SECONDS * 1000 && reported >= SECONDS * RATE) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  const cpu = process.cpuUsage(cpu0);
  const closeStart = Date.now();
  await reporter.close();
  const closeMs = Date.now() - closeStart;
  const s = reporter.stats();
  const exact = s.reported === s.sent + s.dropped && s.reported === reported;
  const cpuNsPerSpan = ((cpu.user + cpu.system) * 1000) / reported;
  console.log(`-- collector ${label}: ${reported} spans in ${SECONDS} s (${RATE}/s)`);
  console.log(`   heap MiB per second: ${samples.join(' ')}`);
  console.log(
    `   heap growth ${mb(maxHeap - heap0)} MiB (max heap ${mb(maxHeap)}, max rss ${mb(maxRss)}); queue max ${mb(maxQueued)} MiB of 8`,
  );
  console.log(
    `   process CPU ${cpuNsPerSpan.toFixed(0)} ns per span (listener + batcher + sender + this loop)`,
  );
  console.log(
    `   dropped ${s.dropped} ${JSON.stringify(s.droppedBy)}; sent ${s.sent}; requests ${s.requests}; accounted exactly: ${exact}; close() ${closeMs} ms`,
  );
  return {
    heapGrowthMiB: Number(mb(maxHeap - heap0)),
    maxRssMiB: Number(mb(maxRss)),
    cpuNsPerSpan: Math.round(cpuNsPerSpan),
    dropped: s.dropped,
    exact,
    closeMs,
  };
}

(async () => {
  const down = await run('down (refused)', `http://127.0.0.1:${await deadPort()}`);
  const hanging = http.createServer(() => {}); // reads nothing back: every POST hangs
  await new Promise((r) => hanging.listen(0, '127.0.0.1', r));
  const hang = await run('hanging', `http://127.0.0.1:${hanging.address().port}`);
  hanging.closeAllConnections();
  hanging.close();
  console.log(`node ${process.version}`);
  console.log(
    'RESULT ' + JSON.stringify({ node: process.version, seconds: SECONDS, rate: RATE, down, hang }),
  );
})();
