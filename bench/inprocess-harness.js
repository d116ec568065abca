'use strict';
// The in-process method shared by framework benches (packages/<pkg>/bench/*-inprocess.bench.js):
// the real app handles real http.IncomingMessage/ServerResponse objects in a loop, each response
// written into an in-memory socket stub, so the figure is CPU time per request only — stable on a
// noisy machine, no sockets, no load generator. Each (variant, round) runs in a fresh process (a
// tracer wraps prototypes once per process, so a "bare" run after a traced one would not be bare);
// the lowest round is reported (other processes only ever add CPU time), the median beside it.
const http = require('node:http');
const { Duplex } = require('node:stream');
const { execFileSync } = require('node:child_process');

/** A socket that swallows what is written (the response bytes) and never reads. */
class NullSocket extends Duplex {
  _read() {}
  _write(chunk, encoding, cb) {
    cb();
  }
  _writev(chunks, cb) {
    cb();
  }
}

/**
 * One `GET url` through `handler(req, res)` (a node:http request listener: express' app, koa's
 * app.callback(), a server's 'request' emit), on a fresh socket stub; resolves once the response
 * finished and was closed (which is when tracers finish their spans).
 */
function requestOnce(handler, url) {
  const socket = new NullSocket();
  const req = new http.IncomingMessage(socket);
  req.method = 'GET';
  req.url = url;
  req.headers = { host: '127.0.0.1:8080', 'user-agent': 'bench', accept: '*/*' };
  req.complete = true;
  req.push(null);
  const res = new http.ServerResponse(req);
  res.assignSocket(socket);
  return new Promise((resolve) => {
    res.once('finish', () => {
      res.detachSocket(socket);
      res.emit('close');
      resolve();
    });
    handler(req, res);
  });
}

/**
 * Measures one variant in this process: warm-up, then `seconds` of requests in batches of
 * BENCH_BATCH (default 50, about what a server under load with 50 connections handles per
 * event-loop turn), yielding to the event loop between batches so log writers drain.
 * @param {{ handler: Function, close?: () => Promise<void> }} app
 */
async function measureVariant(app, url, seconds) {
  const batch = Number(process.env.BENCH_BATCH || 50);
  for (let i = 0; i < 10000; i++) await requestOnce(app.handler, url);
  let n = 0;
  const start = process.cpuUsage();
  const until = process.hrtime.bigint() + BigInt(seconds * 1e9);
  while (process.hrtime.bigint() < until) {
    for (let i = 0; i < batch; i++) await requestOnce(app.handler, url);
    n += batch;
    await new Promise(setImmediate);
  }
  const cpu = process.cpuUsage(start);
  if (app.close) await app.close();
  return { requests: n, cpuMicrosPerRequest: (cpu.user + cpu.system) / n };
}

/**
 * The whole bench: in the parent, runs every variant BENCH_ROUNDS times (default 5), each in a
 * child process of `file`, prints one line per variant and a `RESULT {json}` line for
 * bench/run.js; in a child (BENCH_CHILD_VARIANT set), measures that variant.
 * @param {{ name: string, file: string, url: string, variants: string[],
 *           makeApp: (variant: string) => Promise<{ handler: Function, close?: () => Promise<void> }> }} spec
 */
function runInprocessBench(spec) {
  const seconds = Number(process.argv[2] || 3);
  const child = process.env.BENCH_CHILD_VARIANT;
  if (child) {
    Promise.resolve(spec.makeApp(child))
      .then((app) => measureVariant(app, spec.url, seconds))
      .then(
        (r) => {
          process.stdout.write(JSON.stringify(r));
          process.exit(0);
        },
        (e) => {
          console.error(e);
          process.exit(1);
        },
      );
    return;
  }
  const variants = process.env.BENCH_VARIANTS ? process.env.BENCH_VARIANTS.split(',') : spec.variants;
  const rounds = Number(process.env.BENCH_ROUNDS || 5);
  const results = {};
  for (let round = 0; round < rounds; round++) {
    for (const v of variants) {
      const out = execFileSync(process.execPath, [spec.file, String(seconds)], {
        env: { ...process.env, BENCH_CHILD_VARIANT: v },
        encoding: 'utf8',
      });
      (results[v] ||= []).push(JSON.parse(out).cpuMicrosPerRequest);
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const min = (a) => Math.min(...a);
  const bare = results.bare ? min(results.bare) : 0;
  for (const v of variants) {
    const m = min(results[v]);
    console.log(
      `${v.padEnd(14)} ${m.toFixed(2).padStart(7)} µs/request (lowest of ${rounds}; +${(m - bare).toFixed(2)} µs over bare, ` +
        `${bare ? (m / bare).toFixed(2) : '-'}x)  median ${median(results[v]).toFixed(2)}  rounds: ${results[v].map((x) => x.toFixed(1)).join(' ')}`,
    );
  }
  console.log(
    'RESULT ' +
      JSON.stringify({
        bench: spec.name,
        node: process.version,
        unit: 'cpu µs/request',
        lowest: Object.fromEntries(variants.map((v) => [v, min(results[v])])),
        medians: Object.fromEntries(variants.map((v) => [v, median(results[v])])),
      }),
  );
}

module.exports = { NullSocket, requestOnce, measureVariant, runInprocessBench };
