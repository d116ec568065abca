'use strict';
// Variant "bare": Nest 11 hello-world on the fastify adapter, no tracing.
require('../nest-express/_nest-app').serveNest('fastify', []);
