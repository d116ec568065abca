'use strict';
// Per-request CPU cost of @sofa-tracer/koa without sockets or a load generator: the real koa 3 app
// (+ @koa/router 15, GET /users/:id) through bench/inprocess-harness.js — bare, traced without
// the digest file, traced with digest + stat logs (100% sampled), and for reference an
// AsyncLocalStorage context entered per request and nothing else (what any ALS-based tracer pays).
// Run after a build:  node packages/koa/bench/koa-inprocess.bench.js [seconds-per-variant]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runInprocessBench } = require('../../../bench/inprocess-harness');

runInprocessBench({
  name: 'koa-inprocess',
  file: __filename,
  url: '/users/42',
  variants: ['bare', 'als', 'sofa-nodigest', 'sofa'],
  makeApp(variant) {
    const Koa = require('koa');
    const Router = require('@koa/router');
    const app = new Koa();
    let tracer;
    if (variant === 'als') {
      const { AsyncLocalStorage } = require('node:async_hooks');
      const als = new AsyncLocalStorage();
      app.use((ctx, next) => als.run(ctx, next));
    } else if (variant !== 'bare') {
      const { createTracer } = require('@sofa-tracer/core');
      const { sofaTracer } = require('@sofa-tracer/koa');
      const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inproc-koa-'));
      tracer = createTracer({ appName: 'bench', logDir, disableDigestLog: variant === 'sofa-nodigest' });
      app.use(sofaTracer({ tracer }));
    }
    const router = new Router();
    router.get('/users/:id', (ctx) => {
      ctx.body = 'hello world';
    });
    app.use(router.routes());
    return { handler: app.callback(), close: tracer && (() => tracer.close()) };
  },
});
