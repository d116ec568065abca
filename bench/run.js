#!/usr/bin/env node
'use strict';
// Express hello-world, three ways, in one run: bare express; this tracer (express middleware +
// digest + stat logs, 100% sampled); the OpenTelemetry Node SDK (http + express
// instrumentations, BatchSpanProcessor, file exporter). Plus a reference point: express with
// only an AsyncLocalStorage.run per request, the context cost every such tracer pays.
// Each server is its own child process pinned to one CPU; autocannon runs here, in this
// process, pinned to the other CPU, with the same connections/pipelining for every variant.
// Rounds alternate the variants (rotating the order) so drift hits all of them alike.
//
//   node bench/run.js [--rounds 3] [--duration 5] [--warmup 2] [--connections 50]
//                     [--pipelining 1] [--only bare,sofa,otel,als] [--core] [--no-pin]
//
// Afterwards it runs bench/*.bench.js (the in-process express per-request cost); --core adds
// every package micro-benchmark (packages/*/bench/*.bench.js).
//
// Prints req/s, p99 and server CPU per request for each variant and the ratios to bare;
// writes bench/results/latest.json.
const { spawn, execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');

const ROOT = path.resolve(__dirname, '..');
const VARIANTS = [
  { name: 'bare', label: 'bare express', script: 'bare.js' },
  { name: 'sofa', label: 'sofa-tracer (express + digest + stat)', script: 'sofa.js' },
  { name: 'otel', label: 'OpenTelemetry SDK (http + express, batch)', script: 'otel.js' },
  // Reference point, not a tracer: the AsyncLocalStorage cost both tracers pay.
  { name: 'als', label: 'AsyncLocalStorage.run only (reference)', script: 'als.js' },
];

function parseArgs(argv) {
  const o = { rounds: 3, duration: 5, warmup: 2, connections: 50, pipelining: 1, only: null, core: false, pin: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--rounds') o.rounds = Number(next());
    else if (a === '--duration') o.duration = Number(next());
    else if (a === '--warmup') o.warmup = Number(next());
    else if (a === '--connections') o.connections = Number(next());
    else if (a === '--pipelining') o.pipelining = Number(next());
    else if (a === '--only') o.only = next().split(',');
    else if (a === '--core') o.core = true;
    else if (a === '--no-pin') o.pin = false;
    else if (a === '--help' || a === '-h') {
      console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(2, 17).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const canPin = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return os.availableParallelism() >= 2;
  } catch {
    return false;
  }
})();

/** Starts one variant's server; resolves with a handle once it listens. */
function startServer(variant, logDir, pin) {
  const script = path.join(__dirname, 'servers', variant.script);
  const env = { ...process.env, BENCH_LOG_DIR: logDir, NODE_ENV: 'production' };
  const stdio = ['ignore', 'inherit', 'inherit', 'ipc'];
  const child = pin
    ? spawn('taskset', ['-c', '1', process.execPath, script], { env, stdio, cwd: ROOT })
    : spawn(process.execPath, [script], { env, stdio, cwd: ROOT });
  const waiters = new Map();
  child.on('message', (msg) => {
    const w = waiters.get(msg.type);
    if (w) {
      waiters.delete(msg.type);
      w(msg);
    }
  });
  const next = (type, timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      const onExit = (code) => {
        clearTimeout(t);
        reject(new Error(`${variant.name} server exited (${code}) before "${type}"`));
      };
      const t = setTimeout(() => {
        child.removeListener('exit', onExit);
        reject(new Error(`${variant.name}: no "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.set(type, (m) => {
        clearTimeout(t);
        child.removeListener('exit', onExit); // one listener per wait, removed: no leak over rounds
        resolve(m);
      });
      child.once('exit', onExit);
    });
  return next('ready').then(({ port }) => ({
    variant,
    url: `http://127.0.0.1:${port}/hello`,
    stats: () => (child.send('stats'), next('stats')),
    close: () => (child.send('close'), next('closed', 60_000)),
    kill: () => child.kill('SIGKILL'),
  }));
}

function load(url, o, seconds) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: o.connections, pipelining: o.pipelining, duration: seconds }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

// The packages' own micro-benchmarks (`packages/<pkg>/bench/*.bench.js`: core span throughput
// and log writer, lookout span listener…), each in its own process, run after the HTTP rounds.
function runPackageBenches(includePackages) {
  const out = [];
  const pkgs = path.join(ROOT, 'packages');
  const dirs = [path.join(ROOT, 'bench')];
  if (includePackages) for (const pkg of fs.readdirSync(pkgs).sort()) dirs.push(path.join(pkgs, pkg, 'bench'));
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).filter((n) => /\.bench\.js$/.test(n)).sort()) {
      const rel = path.relative(ROOT, path.join(dir, f));
      console.log(`\n== ${rel}`);
      const started = Date.now();
      const r = spawnSync(process.execPath, ['--expose-gc', path.join(dir, f)], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      });
      process.stdout.write(r.stdout || '');
      process.stderr.write(r.stderr || '');
      // A bench may end with one line `RESULT {json}` for the summary file.
      const m = /^RESULT (.*)$/m.exec(r.stdout || '');
      let result = null;
      try {
        result = m ? JSON.parse(m[1]) : null;
      } catch {
        result = null;
      }
      out.push({ file: rel, exitCode: r.status, seconds: Math.round((Date.now() - started) / 1000), result });
    }
  }
  return out;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const pin = o.pin && canPin;
  if (pin) execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  const variants = VARIANTS.filter((v) => !o.only || o.only.includes(v.name));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sofa-bench-'));
  console.log(
    `express hello-world: ${o.rounds} rounds x ${variants.length} variants x ${o.duration}s, ` +
      `${o.connections} connections, pipelining ${o.pipelining}, node ${process.version}, ` +
      `${pin ? 'servers on CPU 1, autocannon on CPU 0' : 'no CPU pinning'}; logs under ${tmp}`,
  );

  const servers = [];
  const skipped = {};
  for (const v of variants) {
    const logDir = path.join(tmp, v.name);
    fs.mkdirSync(logDir, { recursive: true });
    try {
      const s = await startServer(v, logDir, pin);
      servers.push(s);
    } catch (err) {
      skipped[v.name] = String(err.message);
      console.log(`  ${v.name}: skipped (${err.message})`);
    }
  }
  const results = Object.fromEntries(servers.map((s) => [s.variant.name, []]));
  // Every request each server answered, warm-up included (to check one digest line per request).
  const served = Object.fromEntries(servers.map((s) => [s.variant.name, 0]));
  let failed = false;
  try {
    for (const s of servers) {
      const r = await load(s.url, o, o.warmup);
      served[s.variant.name] += r.requests.total;
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`${s.variant.name}: warmup got ${r.non2xx} non-2xx, ${r.errors} errors`);
    }
    for (let round = 0; round < o.rounds; round++) {
      const order = servers.map((_, i) => servers[(i + round) % servers.length]);
      for (const s of order) {
        const before = await s.stats();
        const r = await load(s.url, o, o.duration);
        served[s.variant.name] += r.requests.total;
        const { rss, cpuMicros } = await s.stats();
        const row = {
          round: round + 1,
          rps: r.requests.average,
          total: r.requests.total,
          p50: r.latency.p50,
          p99: r.latency.p99,
          mean: r.latency.average,
          non2xx: r.non2xx,
          errors: r.errors,
          rssMB: Math.round(rss / 1048576),
          // Server CPU per request: insensitive to other load on the machine, unlike req/s.
          cpuMicrosPerReq: (cpuMicros - before.cpuMicros) / Math.max(1, r.requests.total),
        };
        results[s.variant.name].push(row);
        console.log(
          `  round ${row.round} ${s.variant.name.padEnd(5)} ${fmt(row.rps).padStart(8)} req/s  p99 ${fmt(row.p99, 2)} ms  ` +
            `cpu ${row.cpuMicrosPerReq.toFixed(1)} µs/req  rss ${row.rssMB} MB${row.non2xx || row.errors ? `  (${row.non2xx} non-2xx, ${row.errors} errors)` : ''}`,
        );
      }
    }
  } catch (err) {
    failed = true;
    console.error(`bench failed: ${err.stack || err}`);
  }
  const closed = {};
  for (const s of servers) {
    try {
      closed[s.variant.name] = await s.close();
    } catch (err) {
      closed[s.variant.name] = { closeError: String(err.message) };
      s.kill();
    }
  }

  const summary = {};
  for (const [name, rows] of Object.entries(results)) {
    if (rows.length === 0) continue;
    summary[name] = {
      rps: median(rows.map((r) => r.rps)),
      p99: median(rows.map((r) => r.p99)),
      p50: median(rows.map((r) => r.p50)),
      cpuMicrosPerReq: median(rows.map((r) => r.cpuMicrosPerReq)),
      totalRequests: rows.reduce((a, r) => a + r.total, 0),
    };
  }
  const bare = summary.bare;
  for (const s of Object.values(summary)) {
    if (bare) s.ratioToBare = s.rps / bare.rps;
  }
  for (const [name, c] of Object.entries(closed)) {
    c.requestsServed = served[name];
    delete c.type;
  }
  if (closed.sofa && closed.sofa.digestLines !== undefined) {
    console.log(`\nsofa: ${closed.sofa.digestLines} digest lines for ${served.sofa} requests, ${closed.sofa.droppedLines} dropped`);
  }
  if (closed.otel && closed.otel.exportedSpans !== undefined) {
    console.log(`otel: ${closed.otel.exportedSpans} spans exported for ${served.otel} requests`);
  }
  const label = Object.fromEntries(VARIANTS.map((v) => [v.name, v.label]));
  console.log(`\nmedian of ${o.rounds} rounds:`);
  console.log(`  ${'variant'.padEnd(44)} ${'req/s'.padStart(8)}  ${'p99 ms'.padStart(7)}  vs bare  server CPU/req`);
  for (const [name, s] of Object.entries(summary)) {
    const ratio = s.ratioToBare !== undefined ? s.ratioToBare.toFixed(3) : '-';
    const cpu = `${s.cpuMicrosPerReq.toFixed(1)} µs` + (bare ? ` (${(s.cpuMicrosPerReq / bare.cpuMicrosPerReq).toFixed(2)}x)` : '');
    console.log(`  ${label[name].padEnd(44)} ${fmt(s.rps).padStart(8)}  ${fmt(s.p99, 2).padStart(7)}  ${ratio.padStart(7)}  ${cpu}`);
  }
  if (summary.sofa && summary.otel) {
    console.log(`  sofa-tracer / OpenTelemetry throughput: ${(summary.sofa.rps / summary.otel.rps).toFixed(2)}x`);
  }

  // bench/*.bench.js (the in-process express cost) always; packages/*/bench with --core
  const core = runPackageBenches(o.core);
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    commit = null;
  }
  const doc = {
    date: new Date().toISOString(),
    commit,
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0] && os.cpus()[0].model,
    pinned: pin,
    settings: { rounds: o.rounds, duration: o.duration, warmup: o.warmup, connections: o.connections, pipelining: o.pipelining },
    summary,
    rounds: results,
    servers: closed,
    skipped,
    ...(core ? { core } : {}),
  };
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', 'latest.json'), JSON.stringify(doc, null, 2) + '\n');
  console.log(`\nwrote bench/results/latest.json`);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exitCode = failed || Object.keys(summary).length === 0 ? 1 : 0;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
