'use strict';
// CPU per request of @sofa-tracer/nest on Nest's fastify adapter, in-process (see nest-inprocess.js).
// Run after a build:  node packages/nest/bench/nest-fastify-inprocess.bench.js [seconds-per-variant]
require('./nest-inprocess').nestInprocessBench('fastify', __filename);
