'use strict';
// Per-request CPU cost of @sofa-tracer/fastify without sockets or a load generator: the real
// fastify 5 app (GET /users/:id) through bench/inprocess-harness.js — bare, traced without the
// digest file, traced with digest + stat logs (100% sampled), and for reference an
// AsyncLocalStorage context entered per request in onRequest and nothing else.
// Run after a build:  node packages/fastify/bench/fastify-inprocess.bench.js [seconds-per-variant]
// (BENCH_FASTIFY=fastify4 measures fastify 4.)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runInprocessBench } = require('../../../bench/inprocess-harness');

runInprocessBench({
  name: 'fastify-inprocess',
  file: __filename,
  url: '/users/42',
  variants: ['bare', 'als', 'sofa-nodigest', 'sofa'],
  async makeApp(variant) {
    const app = require(process.env.BENCH_FASTIFY || 'fastify')();
    let tracer;
    if (variant === 'als') {
      const { AsyncLocalStorage } = require('node:async_hooks');
      const als = new AsyncLocalStorage();
      app.addHook('onRequest', (request, reply, done) => als.run(request, done));
    } else if (variant !== 'bare') {
      const { createTracer } = require('@sofa-tracer/core');
      const { sofaTracer } = require('@sofa-tracer/fastify');
      const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inproc-fastify-'));
      tracer = createTracer({ appName: 'bench', logDir, disableDigestLog: variant === 'sofa-nodigest' });
      await app.register(sofaTracer, { tracer });
    }
    app.get('/users/:id', (request, reply) => {
      reply.send('hello world');
    });
    await app.ready();
    const handler = (req, res) => {
      // the harness' requests carry no HTTP version, which fastify 4 answers with a 505
      req.httpVersionMajor = 1;
      req.httpVersionMinor = 1;
      req.httpVersion = '1.1';
      app.routing(req, res);
    };
    return { handler, close: tracer && (() => tracer.close()) };
  },
});
