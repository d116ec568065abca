'use strict';
// Variant "sofa": this project's egg plugin (sofaTracer) — server span per request through the
// koa wiring, egg-digest/egg-stat logs, ctx.tracer slot, 100% sampled, logs under BENCH_LOG_DIR.
const path = require('node:path');
const { init } = require('@sofa-tracer/core');
const { closeAndCount } = require('../common');
const { serveEgg } = require('./_egg-app');

const logDir = process.env.BENCH_LOG_DIR;
// the plugin takes the running tracer; the bench keeps a handle to flush and count at the end
const tracer = init({ appName: 'bench-egg', logDir });
const plugin = { sofaTracer: { enable: true, path: path.dirname(require.resolve('@sofa-tracer/egg/package.json')) } };
serveEgg(plugin, closeAndCount(tracer, logDir, 'egg-digest.log')).catch((err) => {
  console.error(err);
  process.exit(1);
});
