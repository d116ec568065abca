'use strict';
// Per-request cost of the express plugin without sockets or a load generator: the real express
// app handles real http.IncomingMessage/ServerResponse objects in a loop (the response is written
// into an in-memory socket stub), so the figure is CPU time only and stable on a noisy machine.
// Run after a build:  node bench/express-inprocess.bench.js [seconds-per-variant]
const http = require('node:http');
const { Duplex } = require('node:stream');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const express = require('express');

const seconds = Number(process.argv[2] || 3);
// Requests handled per event-loop turn: about what a server under load with 50 connections
// handles between two turns (a larger batch keeps more spans and lines alive across a GC).
const batch = Number(process.env.BENCH_BATCH || 50);

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

function makeApp(variant) {
  const app = express();
  if (variant === 'als') {
    // reference: only the context propagation every tracer pays (async hooks on Node < 24)
    const { AsyncLocalStorage } = require('node:async_hooks');
    const storage = new AsyncLocalStorage();
    app.use((req, res, next) => storage.run(req, next));
  }
  if (variant === 'sofa' || variant === 'sofa-nodigest') {
    const { createTracer } = require('@sofa-tracer/core');
    const { sofaTracer } = require('@sofa-tracer/express');
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inproc-'));
    const tracer = createTracer({ appName: 'bench', logDir, disableDigestLog: variant === 'sofa-nodigest' });
    app.use(sofaTracer({ tracer }));
    app.locals.tracer = tracer;
  }
  app.get('/users/:id', (req, res) => res.send('hello world'));
  return app;
}

function once(app, socket) {
  const req = new http.IncomingMessage(socket);
  req.method = 'GET';
  req.url = '/users/42';
  req.headers = { host: '127.0.0.1:8080', 'user-agent': 'bench', accept: '*/*' };
  req.complete = true;
  const res = new http.ServerResponse(req);
  res.assignSocket(socket);
  app.handle(req, res, () => {});
  res.detachSocket(socket);
  res.emit('close');
}

async function run(variant) {
  const app = makeApp(variant);
  const socket = new NullSocket();
  for (let i = 0; i < 20000; i++) once(app, socket); // warm-up
  let n = 0;
  const start = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const until = t0 + BigInt(seconds * 1e9);
  while (process.hrtime.bigint() < until) {
    for (let i = 0; i < batch; i++) once(app, socket);
    n += batch;
    await new Promise(setImmediate); // let the log writer drain, as a server's event loop would
  }
  const cpu = process.cpuUsage(start);
  if (app.locals.tracer) await app.locals.tracer.close();
  return { variant, requests: n, cpuMicrosPerRequest: (cpu.user + cpu.system) / n };
}

// Each (variant, round) runs in a fresh process: the tracer wraps prototypes (ServerResponse,
// express' Layer) once per process, so a "bare" run after a traced one would not be bare.
if (process.env.BENCH_CHILD_VARIANT) {
  run(process.env.BENCH_CHILD_VARIANT).then((r) => process.stdout.write(JSON.stringify(r)));
} else {
  const { execFileSync } = require('node:child_process');
  const variants = process.env.BENCH_VARIANTS
    ? process.env.BENCH_VARIANTS.split(',')
    : ['bare', 'als', 'sofa-nodigest', 'sofa'];
  const rounds = Number(process.env.BENCH_ROUNDS || 5);
  const results = {};
  for (let round = 0; round < rounds; round++) {
    for (const v of variants) {
      const out = execFileSync(process.execPath, [__filename, String(seconds)], {
        env: { ...process.env, BENCH_CHILD_VARIANT: v },
        encoding: 'utf8',
      });
      (results[v] ||= []).push(JSON.parse(out).cpuMicrosPerRequest);
    }
  }
  // Other processes on a shared machine only ever add CPU time (cache misses, preemption), so
  // the lowest round is the best estimate of the cost itself; the median is printed beside it.
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
        bench: 'express-inprocess',
        node: process.version,
        unit: 'cpu µs/request',
        lowest: Object.fromEntries(variants.map((v) => [v, min(results[v])])),
        medians: Object.fromEntries(variants.map((v) => [v, median(results[v])])),
      }),
  );
}
