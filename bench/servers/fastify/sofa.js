'use strict';
// Variant "sofa": this project's tracer — the fastify plugin, fastify-digest/stat logs, 100%
// sampled, logs under the temp dir the runner passes in BENCH_LOG_DIR.
const { init } = require('@sofa-tracer/core');
const { sofaTracer } = require('@sofa-tracer/fastify');
const { closeAndCount } = require('../common');
const { serveFastify } = require('./_fastify-app');

const logDir = process.env.BENCH_LOG_DIR;
const tracer = init({ appName: 'bench-fastify', logDir });
serveFastify((app) => app.register(sofaTracer), closeAndCount(tracer, logDir, 'fastify-digest.log'));
