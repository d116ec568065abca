'use strict';
// Variant "als" (reference, not a tracer): bare + one AsyncLocalStorage context entered per
// request in onRequest — the context cost any ALS-based tracer pays on this Node version.
const { AsyncLocalStorage } = require('node:async_hooks');
const { serveFastify } = require('./_fastify-app');

const als = new AsyncLocalStorage();
serveFastify((app) => {
  app.addHook('onRequest', (request, reply, done) => als.run(request, done));
});
