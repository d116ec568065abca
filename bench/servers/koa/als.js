'use strict';
// Variant "als": koa hello-world with nothing but one AsyncLocalStorage.run per request around
// the rest of the middleware chain — the floor any tracer that keeps a current span across async
// work pays on this Node version. Not a tracer; a reference point.
const { AsyncLocalStorage } = require('node:async_hooks');
const { serveKoa } = require('./_koa-app');

const storage = new AsyncLocalStorage();
serveKoa((app) => app.use((ctx, next) => storage.run(ctx, next)));
