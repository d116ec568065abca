'use strict';
// Variant "sofa": this project's tracer — koa middleware, koa-digest/stat logs, 100% sampled,
// logs under the temp dir the runner passes in BENCH_LOG_DIR.
const { init } = require('@sofa-tracer/core');
const { sofaTracer } = require('@sofa-tracer/koa');
const { serveKoa, closeAndCount } = require('./_koa-app');

const logDir = process.env.BENCH_LOG_DIR;
const tracer = init({ appName: 'bench-koa', logDir });
serveKoa((app) => app.use(sofaTracer()), closeAndCount(tracer, logDir, 'koa-digest.log'));
