'use strict';
// Per-request CPU cost of the express plugin without sockets or a load generator: the real
// express 5 app (GET /users/:id) through bench/inprocess-harness.js — bare, an AsyncLocalStorage
// context per request and nothing else (reference: what any ALS-based tracer pays), traced
// without the digest file (span + stat), traced with digest + stat logs (100% sampled).
// Run after a build:  node bench/express-inprocess.bench.js [seconds-per-variant]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runInprocessBench } = require('./inprocess-harness');

runInprocessBench({
  name: 'express-inprocess',
  file: __filename,
  url: '/users/42',
  variants: ['bare', 'als', 'sofa-nodigest', 'sofa'],
  makeApp(variant) {
    const express = require('express');
    const app = express();
    let tracer;
    if (variant === 'als') {
      const { AsyncLocalStorage } = require('node:async_hooks');
      const storage = new AsyncLocalStorage();
      app.use((req, res, next) => storage.run(req, next));
    } else if (variant !== 'bare') {
      const { createTracer } = require('@sofa-tracer/core');
      const { sofaTracer } = require('@sofa-tracer/express');
      const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inproc-express-'));
      tracer = createTracer({ appName: 'bench', logDir, disableDigestLog: variant === 'sofa-nodigest' });
      app.use(sofaTracer({ tracer }));
    }
    app.get('/users/:id', (req, res) => res.send('hello world'));
    return { handler: app, close: tracer && (() => tracer.close()) };
  },
});
