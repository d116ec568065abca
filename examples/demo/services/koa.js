'use strict';
// The koa service ("demo-koa"): the storefront, on koa 3 with @koa/router 15. The gateway
// (express) calls its product page, which reads the reviews itself and asks the egg BFF for the
// rest, so the tree shows express → koa → egg: the koa server span continues the caller's trace
// (0.1 → 0.1.1), its digest line names the route template of a nested router
// (/products/:productId), never the raw path, and its fetch to the BFF is a child client span.
//
// Env: EGG_URL (the BFF, read per request), DEMO_LOG_ROOT.
const { startTracer, run, sleep } = require('./service');

const tracer = startTracer('demo-koa');
const { instrumentHttpClients } = require('@sofa-tracer/http-client');
const uninstallClients = instrumentHttpClients(); // the fetch to the BFF: a client span, headers sent
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

const products = new Router();
products.get('/:productId', async (ctx) => {
  await sleep(2); // "the review summary"
  const res = await fetch(`${process.env.EGG_URL}/bff/products/${ctx.params.productId}`);
  if (!res.ok) ctx.throw(502, `BFF answered ${res.status}`);
  ctx.body = { productId: ctx.params.productId, stars: 4.5, ...(await res.json()) };
});

const api = new Router();
api.use('/products', products.routes());
app.use(api.routes());
app.use(api.allowedMethods());

run(app, { tracer, onClose: uninstallClients });
