'use strict';
// Benchmark of the async log writer (not a test: no assertions, prints figures).
//
//   npm run build -w packages/core && node --expose-gc packages/core/bench/writer.bench.js [seconds]
//
// 1. Sustained throughput: ~200-byte lines appended as fast as the queue accepts them, written to a
//    real file in a temp dir; prints lines/s and MB/s actually written, and the cost of one append.
// 2. Stalled disk: the target is a FIFO whose reader (a child process) never reads, so the first
//    write blocks forever; lines keep being appended at full speed. Prints peak RSS/heap, which
//    must stay flat (bounded by the queue capacity), and the drop count.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { AsyncLogWriter, NOOP_SELF_LOG } = require('../dist/log/index.js');

const SECONDS = Number(process.argv[2]) || 5;
const CAPACITY = 10_000;
const LINE = (
  '{"time":"2024-01-01 00:00:00.000","traceId":"0a1b2c3d1700000000000100012345","spanId":"0.1",' +
  '"span.kind":"server","local.app":"bench","request.url":"http://localhost/orders/:id","method":"GET",' +
  '"result.code":"200"}'
)
  .padEnd(199, ' ')
  .slice(0, 199);

// A fresh string per line, as a real encoder makes (a constant string would flatter the writer).
let seq = 0;
const freshLine = () => LINE.slice(0, 190) + (seq++ % 1e9).toString().padStart(9, '0');
const mb = (n) => (n / 1048576).toFixed(1) + ' MB';
const tick = () => new Promise((r) => setImmediate(r));

function newWriter(file, capacity) {
  return new AsyncLogWriter({
    file,
    rolling: 'daily',
    retentionMs: 0,
    capacity,
    lineSeparator: '\n',
    discardReportThreshold: 500,
    logDiscardedIds: false,
    selfLog: NOOP_SELF_LOG,
    stderrWarnings: false,
    closeTimeoutMs: 500,
  });
}

async function throughput(dir) {
  const file = path.join(dir, 'bench-digest.log');
  const w = newWriter(file, CAPACITY);
  // Warm-up, then measure: keep the queue topped up, never overflowing it.
  const run = async (ms) => {
    const start = process.hrtime.bigint();
    const written0 = w.stats.written;
    let appendNs = 0n;
    let appends = 0;
    while (Number(process.hrtime.bigint() - start) / 1e6 < ms) {
      const room = CAPACITY - w.stats.queued;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < room; i++) w.append(freshLine());
      appendNs += process.hrtime.bigint() - t0;
      appends += room;
      await tick();
    }
    await w.flush();
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    return { lines: w.stats.written - written0, secs, nsPerAppend: appends ? Number(appendNs) / appends : 0 };
  };
  await run(500);
  const r = await run(SECONDS * 1000);
  await w.close();
  const size = fs.statSync(file).size;
  console.log(
    `throughput: ${Math.round(r.lines / r.secs).toLocaleString('en')} lines/s ` +
      `(${mb((r.lines * (LINE.length + 1)) / r.secs)}/s) over ${r.secs.toFixed(1)} s, ` +
      `${r.nsPerAppend.toFixed(0)} ns per append, ${w.batches} batches, file ${mb(size)}, ` +
      `dropped ${w.stats.dropped}, failed ${w.stats.failed}`,
  );
  fs.unlinkSync(file);
}

async function stalled(dir) {
  const file = path.join(dir, 'stalled-digest.log');
  execFileSync('mkfifo', [file]);
  // The reader opens without blocking and signals; the writer opens non-blocking too (O_NONBLOCK on
  // its I/O thread), so without a reader already there it would fail (ENXIO) instead of stalling.
  const reader = spawn(
    process.execPath,
    [
      '-e',
      `const fs = require('fs'); fs.openSync(${JSON.stringify(file)}, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK); process.stdout.write('ready'); setInterval(() => {}, 1e9);`,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  await new Promise((r) => reader.stdout.once('data', r));
  const w = newWriter(file, CAPACITY);
  if (global.gc) global.gc();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  let attempts = 0;
  const start = Date.now();
  while (Date.now() - start < SECONDS * 1000) {
    for (let i = 0; i < 20_000; i++) {
      w.append(freshLine());
      attempts++;
    }
    await tick();
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  }
  const s = { ...w.stats };
  console.log(
    `stalled disk: ${attempts.toLocaleString('en')} appends in ${SECONDS} s, queued ${s.queued} ` +
      `(capacity ${CAPACITY}), written ${s.written}, dropped ${s.dropped.toLocaleString('en')}; ` +
      `RSS ${mb(base.rss)} -> peak ${mb(peakRss)}, heap ${mb(base.heapUsed)} -> peak ${mb(peakHeap)} ` +
      `(unbounded would hold ${mb(attempts * 200)})`,
  );
  await w.close();
  reader.kill('SIGKILL');
  await new Promise((r) => reader.once('exit', r));
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sofa-writer-bench-'));
  try {
    console.log(
      `node ${process.version}, ${os.cpus().length} cpus, line ${LINE.length + 1} bytes, capacity ${CAPACITY}`,
    );
    await throughput(dir);
    await stalled(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
