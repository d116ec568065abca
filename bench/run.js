#!/usr/bin/env node
'use strict';
// HTTP hello-world benchmarks, one suite per framework (bench/servers/<suite>/<variant>.js):
// the bare framework, this project's tracer and, for express, the peers (OpenTelemetry SDK,
// dd-trace with a stub agent) and an AsyncLocalStorage reference — all in one run, so every
// ratio compares figures taken side by side.
//
//   node bench/run.js [--suite express,koa] [--only bare,sofa] [--node 20|22|24|<path>]
//                     [--rounds 3] [--duration 5] [--warmup 2] [--connections 50]
//                     [--client wrk|autocannon] [--core|--no-core] [--no-inprocess] [--no-pin]
//
// Each server is its own child process pinned to CPU 1 (taskset); wrk (one thread) runs on CPU 0
// and its CPU use is measured, to show the client is not the bottleneck. Variants take turns
// (rotated each round) so drift hits all alike; figures are medians over rounds. After the HTTP
// rounds: bench/*.bench.js (the in-process express cost) and the packages' micro-benchmarks
// (packages/*/bench: core, plugins in-process, Kafka, Zipkin, lookout) on the same Node — by
// default when no --suite/--only narrows the run, else with --core; --no-core skips them.
// Writes bench/results/latest.json and bench/results/node<major>.json.
// Needs wrk: `bash bench/setup.sh` (Debian: apt-get install wrk).
const { spawn, execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SERVERS = path.join(__dirname, 'servers');

// Known variants: label and place in the table. A suite's other files run after these, by name.
const KNOWN = {
  bare: { order: 0, label: 'bare' },
  sofa: { order: 1, label: 'sofa-tracer (digest + stat, 100% sampled)' },
  otel: { order: 2, label: 'OpenTelemetry SDK (http + express, batch, file)' },
  ddtrace: { order: 3, label: 'dd-trace 5 (http + express, stub agent)' },
  als: { order: 4, label: 'AsyncLocalStorage.run only (reference)' },
};

function parseArgs(argv) {
  const o = {
    suites: null,
    only: null,
    node: null,
    rounds: 3,
    duration: 5,
    warmup: 2,
    connections: 50,
    client: 'wrk',
    core: undefined,
    inprocess: true,
    pin: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--suite' || a === '--suites') o.suites = next().split(',');
    else if (a === '--only') o.only = next().split(',');
    else if (a === '--node') o.node = next();
    else if (a === '--rounds') o.rounds = Number(next());
    else if (a === '--duration') o.duration = Number(next());
    else if (a === '--warmup') o.warmup = Number(next());
    else if (a === '--connections') o.connections = Number(next());
    else if (a === '--client') o.client = next();
    else if (a === '--core') o.core = true;
    else if (a === '--no-core') o.core = false;
    else if (a === '--no-inprocess') o.inprocess = false;
    else if (a === '--no-pin') o.pin = false;
    else if (a === '--help' || a === '-h') {
      console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(2, 19).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  if (!['wrk', 'autocannon'].includes(o.client)) throw new Error(`--client: wrk or autocannon, not ${o.client}`);
  if (o.core === undefined) o.core = o.suites === null && o.only === null;
  return o;
}

/** The node binary the servers run on: this one, or tools/node-runtimes' build of `--node`. */
function resolveNode(want) {
  if (!want) return process.execPath;
  if (want.includes('/')) return want;
  const script = path.join(ROOT, 'tools', 'node-runtimes', 'node-path.sh');
  const r = spawnSync('bash', [script, want], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`--node ${want}: ${(r.stderr || '').trim() || `exit ${r.status}`}`);
  return r.stdout.trim();
}

function discoverSuites() {
  const out = {};
  for (const d of fs.readdirSync(SERVERS, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const files = fs.readdirSync(path.join(SERVERS, d.name)).filter((f) => /^[a-z0-9][\w-]*\.js$/.test(f));
    const names = files.map((f) => f.slice(0, -3));
    if (!names.includes('bare')) continue; // ratios need the bare server
    names.sort((a, b) => (KNOWN[a]?.order ?? 99) - (KNOWN[b]?.order ?? 99) || a.localeCompare(b));
    out[d.name] = names;
  }
  return out;
}

const hasCommand = (cmd, args) => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const canPin = hasCommand('taskset', ['-p', String(process.pid)]) && os.availableParallelism() >= 2;

/** Starts one variant's server; resolves with a handle once it listens. */
function startServer(nodeBin, suite, variant, logDir, pin, extraEnv) {
  const script = path.join(SERVERS, suite, `${variant}.js`);
  const env = { ...process.env, ...extraEnv, BENCH_LOG_DIR: logDir, NODE_ENV: 'production' };
  const stdio = ['ignore', 'inherit', 'inherit', 'ipc'];
  const child = pin
    ? spawn('taskset', ['-c', '1', nodeBin, script], { env, stdio, cwd: ROOT })
    : spawn(nodeBin, [script], { env, stdio, cwd: ROOT });
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
        reject(new Error(`${suite}/${variant} server exited (${code}) before "${type}"`));
      };
      const t = setTimeout(() => {
        child.removeListener('exit', onExit);
        reject(new Error(`${suite}/${variant}: no "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.set(type, (m) => {
        clearTimeout(t);
        child.removeListener('exit', onExit); // one listener per wait, removed: no leak over rounds
        resolve(m);
      });
      child.once('exit', onExit);
    });
  return next('ready').then(({ port, node }) => ({
    variant,
    node,
    url: `http://127.0.0.1:${port}/hello`,
    stats: () => (child.send('stats'), next('stats')),
    close: () => (child.send('close'), next('closed', 60_000)),
    kill: () => child.kill('SIGKILL'),
  }));
}

/** `times` output (`0m1.234s 0m0.567s`) → seconds of user + sys. */
function parseTimesLine(line) {
  let total = 0;
  for (const m of line.matchAll(/(\d+)m([\d.]+)s/g)) total += Number(m[1]) * 60 + Number(m[2]);
  return total;
}

/**
 * One wrk run, pinned to CPU 0. The shell's `times` reports wrk's CPU (its children's user + sys
 * time), which shows whether the client had room to spare.
 */
function loadWrk(url, o, seconds, pin) {
  const lua = path.join(__dirname, 'wrk-report.lua');
  const wrkArgs = ['-t1', `-c${o.connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', lua, url];
  const script = 'wrk "$@"; rc=$?; echo WRK_TIMES; times; exit $rc';
  const cmd = pin ? 'taskset' : 'sh';
  const args = pin ? ['-c', '0', 'sh', '-c', script, 'sh', ...wrkArgs] : ['-c', script, 'sh', ...wrkArgs];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /^WRK_JSON (.*)$/m.exec(out);
      if (code !== 0 || !m) return reject(new Error(`wrk failed (${code}): ${err || out}`));
      const r = JSON.parse(m[1]);
      const timesLines = out.split('WRK_TIMES')[1].trim().split('\n');
      const clientCpuSec = parseTimesLine(timesLines[timesLines.length - 1] || '');
      const secs = r.durationUs / 1e6;
      resolve({
        requests: r.requests,
        rps: r.requests / secs,
        p50: r.p50Us / 1000,
        p99: r.p99Us / 1000,
        errors: r.connectErrors + r.readErrors + r.writeErrors + r.timeouts,
        non2xx: r.non2xx,
        clientCpuPct: (100 * clientCpuSec) / secs,
      });
    });
  });
}

/** Fallback when wrk is missing: autocannon in this process (its CPU is this process'). */
function loadAutocannon(url, o, seconds) {
  const autocannon = require('autocannon');
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: o.connections, duration: seconds }, (err, res) => {
      if (err) return reject(err);
      const cpu = process.cpuUsage(cpu0);
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      resolve({
        requests: res.requests.total,
        rps: res.requests.total / secs,
        p50: res.latency.p50,
        p99: res.latency.p99,
        errors: res.errors + res.timeouts,
        non2xx: res.non2xx,
        clientCpuPct: (100 * (cpu.user + cpu.system)) / 1e6 / secs,
      });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

/** Runs one suite: all its servers up, warm-up, rotated rounds, close; returns its results. */
async function runSuite(suite, variants, o, ctx) {
  const { nodeBin, pin, tmp, load, extraEnv, agent } = ctx;
  const agentBefore = agent ? agent.stats() : null;
  const servers = [];
  const skipped = {};
  for (const v of variants) {
    const logDir = path.join(tmp, suite, v);
    fs.mkdirSync(logDir, { recursive: true });
    try {
      servers.push(await startServer(nodeBin, suite, v, logDir, pin, extraEnv));
    } catch (err) {
      skipped[v] = String(err.message);
      console.log(`  ${suite}/${v}: skipped (${err.message})`);
    }
  }
  const rows = Object.fromEntries(servers.map((s) => [s.variant, []]));
  const served = Object.fromEntries(servers.map((s) => [s.variant, 0]));
  let failed = false;
  try {
    for (const s of servers) {
      const r = await load(s.url, o, o.warmup);
      served[s.variant] += r.requests;
      if (r.non2xx > 0 || r.errors > 0)
        throw new Error(`${suite}/${s.variant}: warm-up got ${r.non2xx} non-2xx, ${r.errors} errors`);
    }
    for (let round = 0; round < o.rounds; round++) {
      const order = servers.map((_, i) => servers[(i + round) % servers.length]);
      for (const s of order) {
        const before = await s.stats();
        const t0 = process.hrtime.bigint();
        const r = await load(s.url, o, o.duration);
        const wallSec = Number(process.hrtime.bigint() - t0) / 1e9;
        served[s.variant] += r.requests;
        const after = await s.stats();
        const cpuMicros = after.cpuMicros - before.cpuMicros;
        const row = {
          round: round + 1,
          rps: r.rps,
          total: r.requests,
          p50: r.p50,
          p99: r.p99,
          non2xx: r.non2xx,
          errors: r.errors,
          rssMB: after.rss / 1048576,
          // Server CPU per request: what the tracer adds, and steady on a busy machine, unlike req/s.
          cpuMicrosPerReq: cpuMicros / Math.max(1, r.requests),
          serverCpuPct: (100 * cpuMicros) / 1e6 / wallSec,
          clientCpuPct: r.clientCpuPct,
        };
        rows[s.variant].push(row);
        console.log(
          `  round ${row.round} ${suite}/${s.variant.padEnd(8)} ${fmt(row.rps).padStart(7)} req/s  p99 ${fmt(row.p99, 2)} ms  ` +
            `cpu ${row.cpuMicrosPerReq.toFixed(1)} µs/req  server ${row.serverCpuPct.toFixed(0)}%  ` +
            `client ${row.clientCpuPct.toFixed(0)}%  rss ${row.rssMB.toFixed(0)} MB` +
            (row.non2xx || row.errors ? `  (${row.non2xx} non-2xx, ${row.errors} errors)` : ''),
        );
      }
    }
  } catch (err) {
    failed = true;
    console.error(`${suite}: bench failed: ${err.stack || err}`);
  }
  const closed = {};
  for (const s of servers) {
    try {
      closed[s.variant] = await s.close();
    } catch (err) {
      closed[s.variant] = { closeError: String(err.message) };
      s.kill();
    }
    delete closed[s.variant].type;
    closed[s.variant].requestsServed = served[s.variant];
  }
  if (agent && closed.ddtrace) {
    const now = agent.stats();
    closed.ddtrace.agent = { traces: now.traces - agentBefore.traces, payloads: now.payloads - agentBefore.payloads };
  }

  const summary = {};
  for (const [name, rs] of Object.entries(rows)) {
    if (rs.length === 0) continue;
    summary[name] = {
      rps: median(rs.map((r) => r.rps)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      cpuMicrosPerReq: median(rs.map((r) => r.cpuMicrosPerReq)),
      rssMB: median(rs.map((r) => r.rssMB)),
      serverCpuPct: median(rs.map((r) => r.serverCpuPct)),
      clientCpuPct: median(rs.map((r) => r.clientCpuPct)),
      totalRequests: rs.reduce((a, r) => a + r.total, 0),
    };
  }
  const bare = summary.bare;
  if (bare) {
    for (const s of Object.values(summary)) {
      s.throughputVsBare = s.rps / bare.rps;
      s.cpuVsBare = s.cpuMicrosPerReq / bare.cpuMicrosPerReq;
      s.p99OverBareMs = s.p99 - bare.p99;
      s.rssOverBareMB = s.rssMB - bare.rssMB;
    }
  }
  printSuite(suite, summary, closed, o);
  return { variants, summary, rounds: rows, servers: closed, skipped, failed, node: servers[0]?.node };
}

function printSuite(suite, summary, closed, o) {
  const sofa = closed.sofa;
  if (sofa && sofa.digestLines !== undefined) {
    console.log(`\n${suite}/sofa: ${sofa.digestLines} digest lines for ${sofa.requestsServed} requests, ${sofa.droppedLines} dropped`);
  }
  if (closed.otel && closed.otel.exportedSpans !== undefined)
    console.log(`${suite}/otel: ${closed.otel.exportedSpans} spans exported for ${closed.otel.requestsServed} requests`);
  if (closed.ddtrace && closed.ddtrace.agent)
    console.log(`${suite}/ddtrace: stub agent got ${closed.ddtrace.agent.traces} traces for ${closed.ddtrace.requestsServed} requests`);
  console.log(`\n${suite}: median of ${o.rounds} rounds`);
  const head =
    `  ${'variant'.padEnd(48)} ${'req/s'.padStart(7)} ${'vs bare'.padStart(7)} ${'p99 ms'.padStart(7)} ` +
    `${'CPU µs/req'.padStart(10)} ${'vs bare'.padStart(7)} ${'RSS MB'.padStart(6)} ${'server'.padStart(6)} ${'client'.padStart(6)}`;
  console.log(head);
  for (const [name, s] of Object.entries(summary)) {
    const label = (KNOWN[name]?.label ?? name).padEnd(48);
    const r = (x) => (x === undefined ? '-' : x.toFixed(2));
    console.log(
      `  ${label} ${fmt(s.rps).padStart(7)} ${r(s.throughputVsBare).padStart(7)} ${fmt(s.p99, 2).padStart(7)} ` +
        `${s.cpuMicrosPerReq.toFixed(1).padStart(10)} ${r(s.cpuVsBare).padStart(7)} ${s.rssMB.toFixed(0).padStart(6)} ` +
        `${(s.serverCpuPct.toFixed(0) + '%').padStart(6)} ${(s.clientCpuPct.toFixed(0) + '%').padStart(6)}`,
    );
  }
  const t = summary.sofa;
  if (t && summary.bare) {
    const ok = (b) => (b ? 'met' : 'MISSED');
    const checks = [
      `throughput ${t.throughputVsBare.toFixed(2)} × bare (≥ 0.90: ${ok(t.throughputVsBare >= 0.9)})`,
      `CPU/request ${t.cpuVsBare.toFixed(2)} × bare (≤ 1.11: ${ok(t.cpuVsBare <= 1.11)})`,
      `p99 +${t.p99OverBareMs.toFixed(2)} ms (≤ +1 ms: ${ok(t.p99OverBareMs <= 1)})`,
      `RSS +${t.rssOverBareMB.toFixed(0)} MB (≤ +25 MB: ${ok(t.rssOverBareMB <= 25)})`,
    ];
    for (const peer of ['otel', 'ddtrace']) {
      if (summary[peer]) checks.push(`${(t.rps / summary[peer].rps).toFixed(2)} × ${peer} throughput`);
    }
    console.log(`  sofa targets: ${checks.join('; ')}`);
  }
}

// In-process and package micro-benchmarks (`bench/*.bench.js`, `packages/<pkg>/bench/*.bench.js`),
// each in its own process on the chosen Node, after the HTTP rounds.
function runBenchFiles(nodeBin, includeInprocess, includePackages) {
  const out = [];
  const dirs = [];
  if (includeInprocess) dirs.push(path.join(ROOT, 'bench'));
  if (includePackages) {
    const pkgs = path.join(ROOT, 'packages');
    for (const pkg of fs.readdirSync(pkgs).sort()) dirs.push(path.join(pkgs, pkg, 'bench'));
  }
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).filter((n) => /\.bench\.js$/.test(n)).sort()) {
      const rel = path.relative(ROOT, path.join(dir, f));
      console.log(`\n== ${rel}`);
      const started = Date.now();
      const r = spawnSync(nodeBin, ['--expose-gc', path.join(dir, f)], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
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
  const nodeBin = resolveNode(o.node);
  const nodeVersion = execFileSync(nodeBin, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
  const pin = o.pin && canPin;
  // wrk exits 1 on --version; what matters is that it was found
  if (o.client === 'wrk' && spawnSync('wrk', ['--version']).error !== undefined) {
    console.error('wrk not found: run `bash bench/setup.sh` (Debian: apt-get install wrk), or pass --client autocannon');
    process.exitCode = 1;
    return;
  }
  const load = o.client === 'wrk' ? (url, opts, s) => loadWrk(url, opts, s, pin) : loadAutocannon;
  if (pin) execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  const all = discoverSuites();
  const wanted = o.suites ?? Object.keys(all).sort((a, b) => (a === 'express' ? -1 : b === 'express' ? 1 : a.localeCompare(b)));
  for (const s of wanted) if (!all[s]) throw new Error(`--suite ${s}: no bench/servers/${s}/bare.js (have: ${Object.keys(all).join(', ')})`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sofa-bench-'));
  console.log(
    `suites ${wanted.join(', ')}: ${o.rounds} rounds × ${o.duration} s per variant, ${o.connections} connections, ` +
      `servers on node ${nodeVersion}, client ${o.client}${pin ? '; servers pinned to CPU 1, client to CPU 0' : '; no CPU pinning'}`,
  );

  // dd-trace needs an agent: a stub in this process (the client's CPU), only when a suite has it.
  const needsAgent = wanted.some((s) => all[s].includes('ddtrace') && (!o.only || o.only.includes('ddtrace')));
  const agent = needsAgent ? await require('./stub-dd-agent').startStubAgent() : null;
  const extraEnv = agent ? { DD_TRACE_AGENT_URL: agent.url } : {};

  const suites = {};
  let failed = false;
  for (const suite of wanted) {
    const variants = all[suite].filter((v) => !o.only || o.only.includes(v));
    console.log(`\n== ${suite}: ${variants.join(', ')}`);
    suites[suite] = await runSuite(suite, variants, o, { nodeBin, pin, tmp, load, extraEnv, agent });
    failed = failed || suites[suite].failed || Object.keys(suites[suite].summary).length === 0;
  }
  if (agent) await agent.close();

  const benches = runBenchFiles(nodeBin, o.inprocess, o.core);
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    commit = null;
  }
  const doc = {
    date: new Date().toISOString(),
    commit,
    node: nodeVersion,
    runner: { node: process.version, client: o.client },
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0] && os.cpus()[0].model,
    loadAverage: os.loadavg(),
    pinned: pin,
    settings: { rounds: o.rounds, duration: o.duration, warmup: o.warmup, connections: o.connections },
    suites,
    benches,
  };
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const text = JSON.stringify(doc, null, 2) + '\n';
  const major = nodeVersion.slice(1).split('.')[0];
  fs.writeFileSync(path.join(dir, 'latest.json'), text);
  fs.writeFileSync(path.join(dir, `node${major}.json`), text);
  console.log(`\nwrote bench/results/latest.json and bench/results/node${major}.json`);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.error(err.stack || err);
  process.exitCode = 1;
});
