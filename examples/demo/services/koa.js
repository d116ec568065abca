'use strict';
// The koa service ("demo-koa"): product reviews, on koa 3 with @koa/router 15. The gateway
// (express) calls it, so the tree shows express → koa: the koa server span continues the
// caller's trace (0.1 → 0.1.1) and its digest line names the route template of a nested router
// (/reviews/:productId/top), never the raw path.
const { startTracer, run, sleep } = require('./service');

const tracer = startTracer('demo-koa');
const Koa = require('koa');
const Router = require('@koa/router');
const { sofaTracer } = require('@sofa-tracer/koa');

const app = new Koa();
app.silent = true; // koa's default error printer off: errors are answered as JSON below
app.use(sofaTracer());

// the error middleware: a thrown error becomes a JSON answer (status from the error, else 500),
// and is reported to the app as koa's convention says — which is how the span records it
app.use(async (ctx, next) => {
  try {
    await next();
  } catch (err) {
    ctx.status = err.status || 500;
    ctx.body = { error: err.message };
    ctx.app.emit('error', err, ctx);
  }
});

const reviews = new Router();
reviews.get('/:productId', async (ctx) => {
  await sleep(4); // "a review store query"
  ctx.body = { productId: ctx.params.productId, count: 3, stars: 4.5 };
});
reviews.get('/:productId/top', async (ctx) => {
  await sleep(2);
  ctx.body = { productId: ctx.params.productId, top: 'Works as described.' };
});
reviews.get('/:productId/flagged', (ctx) => {
  ctx.throw(503, 'moderation service unavailable');
});

const api = new Router();
api.use('/reviews', reviews.routes());
app.use(api.routes());
app.use(api.allowedMethods());

run(app, { tracer });
