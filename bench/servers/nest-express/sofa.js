'use strict';
// Variant "sofa": the same app with SofaTracerModule (nest-digest/stat logs, 100% sampled) under
// the temp dir the runner passes in BENCH_LOG_DIR.
const { init } = require('@sofa-tracer/core');
const { SofaTracerModule } = require('@sofa-tracer/nest');
const { closeAndCount } = require('../common');
const { serveNest } = require('./_nest-app');

const logDir = process.env.BENCH_LOG_DIR;
const tracer = init({ appName: 'bench-nest', logDir });
serveNest('express', [SofaTracerModule.forRoot()], closeAndCount(tracer, logDir, 'nest-digest.log'));
