'use strict';
// Per-request CPU cost of @sofa-tracer/nest without sockets or a load generator: the real Nest 11
// hello-world app (bench/servers/nest-express/_nest-app.js) on the express and the fastify
// adapter handles real http.IncomingMessage/ServerResponse objects in a loop (emitted on Nest's
// HTTP server as 'request'), the response written into an in-memory socket stub, so the figure is
// CPU time only and stable on a noisy machine. The same method as bench/express-inprocess.bench.js.
// Run after a build:  node packages/nest/bench/nest-inprocess.bench.js [seconds-per-variant]
const http = require('node:http');
const { Duplex } = require('node:stream');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const seconds = Number(process.argv[2] || 3);
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

async function makeApp(variant, platform) {
  const { createNestApp } = require('../../../bench/servers/nest-express/_nest-app');
  let tracer;
  const imports = [];
  if (variant === 'als') {
    // reference: only an AsyncLocalStorage context entered per request (what any ALS tracer pays)
    const { AsyncLocalStorage } = require('node:async_hooks');
    const als = new AsyncLocalStorage();
    imports.push(alsModule(platform, als));
  } else if (variant !== 'bare') {
    const { createTracer } = require('@sofa-tracer/core');
    const { SofaTracerModule } = require('@sofa-tracer/nest');
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inproc-nest-'));
    tracer = createTracer({ appName: 'bench', logDir, disableDigestLog: variant === 'sofa-nodigest' });
    imports.push(SofaTracerModule.forRoot({ tracer }));
  }
  const app = await createNestApp(platform, imports);
  return { server: app.getHttpServer(), tracer };
}

/** A module that enters an ALS context per request where the tracer would start its span. */
function alsModule(platform, als) {
  const { Module } = require('@nestjs/common');
  const { HttpAdapterHost } = require('@nestjs/core');
  class AlsModule {}
  Module({
    providers: [
      {
        provide: 'ALS',
        inject: [HttpAdapterHost],
        useFactory: (host) => {
          const enter = (req, res, next) => als.run({ req }, next);
          if (platform === 'express') host.httpAdapter.getInstance().use(enter);
          else host.httpAdapter.use(enter);
          return als;
        },
      },
    ],
  })(AlsModule);
  return AlsModule;
}

function once(server) {
  const socket = new NullSocket();
  const req = new http.IncomingMessage(socket);
  req.method = 'GET';
  req.url = '/hello';
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
    server.emit('request', req, res);
  });
}

async function run(variant, platform) {
  const { server, tracer } = await makeApp(variant, platform);
  for (let i = 0; i < 10000; i++) await once(server); // warm-up
  let n = 0;
  const start = process.cpuUsage();
  const until = process.hrtime.bigint() + BigInt(seconds * 1e9);
  while (process.hrtime.bigint() < until) {
    for (let i = 0; i < batch; i++) await once(server);
    n += batch;
    await new Promise(setImmediate); // let the log writer drain, as a server's event loop would
  }
  const cpu = process.cpuUsage(start);
  if (tracer) await tracer.close();
  return { variant, requests: n, cpuMicrosPerRequest: (cpu.user + cpu.system) / n };
}

// Each (platform, variant, round) runs in a fresh process: the tracer wraps prototypes once per
// process, so a "bare" run after a traced one would not be bare.
if (process.env.BENCH_CHILD_VARIANT) {
  run(process.env.BENCH_CHILD_VARIANT, process.env.BENCH_CHILD_PLATFORM).then(
    (r) => {
      process.stdout.write(JSON.stringify(r));
      process.exit(0);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
} else {
  const { execFileSync } = require('node:child_process');
  const platforms = (process.env.BENCH_PLATFORMS || 'express,fastify').split(',');
  const variants = process.env.BENCH_VARIANTS
    ? process.env.BENCH_VARIANTS.split(',')
    : ['bare', 'als', 'sofa-nodigest', 'sofa'];
  const rounds = Number(process.env.BENCH_ROUNDS || 5);
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const min = (a) => Math.min(...a);
  const lowest = {};
  for (const platform of platforms) {
    const results = {};
    for (let round = 0; round < rounds; round++) {
      for (const v of variants) {
        const out = execFileSync(process.execPath, [__filename, String(seconds)], {
          env: { ...process.env, BENCH_CHILD_VARIANT: v, BENCH_CHILD_PLATFORM: platform },
          encoding: 'utf8',
        });
        (results[v] ||= []).push(JSON.parse(out).cpuMicrosPerRequest);
      }
    }
    // other processes only ever add CPU time: the lowest round is the best estimate of the cost
    const bare = min(results.bare || [0]);
    console.log(`nest on ${platform}`);
    for (const v of variants) {
      const m = min(results[v]);
      lowest[`${platform}:${v}`] = m;
      console.log(
        `  ${v.padEnd(14)} ${m.toFixed(2).padStart(7)} µs/request (lowest of ${rounds}; +${(m - bare).toFixed(2)} µs over bare, ` +
          `${bare ? (m / bare).toFixed(2) : '-'}x)  median ${median(results[v]).toFixed(2)}`,
      );
    }
  }
  console.log(
    'RESULT ' +
      JSON.stringify({ bench: 'nest-inprocess', node: process.version, unit: 'cpu µs/request', lowest }),
  );
}
