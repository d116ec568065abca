'use strict';
// Variant "bare": fastify hello-world, no tracing.
require('./_fastify-app').serveFastify();
