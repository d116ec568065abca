'use strict';
// CPU per request of @sofa-tracer/nest on Nest's express adapter, in-process (see nest-inprocess.js).
// Run after a build:  node packages/nest/bench/nest-express-inprocess.bench.js [seconds-per-variant]
require('./nest-inprocess').nestInprocessBench('express', __filename);
