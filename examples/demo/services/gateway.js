'use strict';
// The gateway service ("demo-gateway", express): a checkout asks the storefront (koa, which goes
// on through the egg BFF to Nest and the backend) with the global fetch, the price from the
// pricing service (fastify) with node:http's http.request — so both client instrumentations show
// up in one trace —
// and, when Kafka is on, places the order with demo-orders. It also exposes Lookout metrics
// (/metrics) on its own port.
//
// Env: BACKEND_URL, KOA_URL, FASTIFY_URL, ORDERS_URL (unset: no Kafka hop), DEMO_METRICS_PORT, DEMO_LOG_ROOT.
const http = require('node:http');
const { startTracer, run } = require('./service');

const tracer = startTracer('demo-gateway');
const { instrumentHttpClients } = require('@sofa-tracer/http-client');
const uninstallClients = instrumentHttpClients();
const { enableLookout } = require('@sofa-tracer/lookout');
const lookout = enableLookout({ port: Number(process.env.DEMO_METRICS_PORT || 0) });

const express = require('express');
const { sofaTracer } = require('@sofa-tracer/express');

const BACKEND = process.env.BACKEND_URL;
const KOA = process.env.KOA_URL;
const FASTIFY = process.env.FASTIFY_URL;
const ORDERS = process.env.ORDERS_URL;

/** GET with node:http, resolving with the parsed JSON body. */
function httpGetJson(url) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode, body: JSON.parse(body) });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const traceId = () => {
  const span = tracer.activeSpan();
  return span ? span.context().traceId : '';
};

const app = express();
app.use(sofaTracer());

app.get('/checkout/:id', async (req, res, next) => {
  try {
    const product = await fetch(`${KOA}/products/${req.params.id}`);
    if (!product.ok) throw new Error(`storefront answered ${product.status}`);
    const { item, stock } = await product.json();
    const price = await httpGetJson(`${FASTIFY}/prices/${req.params.id}`);
    const order = ORDERS ? await (await fetch(`${ORDERS}/orders/${req.params.id}`)).json() : undefined;
    res.json({ traceId: traceId(), item, stock, price: price.body.price, order });
  } catch (err) {
    next(err);
  }
});

app.get('/slow', async (req, res, next) => {
  try {
    const r = await fetch(`${BACKEND}/slow?ms=300`);
    res.json({ traceId: traceId(), backend: await r.json() });
  } catch (err) {
    next(err);
  }
});

app.get('/fail', async (req, res, next) => {
  try {
    const r = await fetch(`${BACKEND}/boom`);
    const body = await r.json();
    const err = new Error(`backend answered ${r.status}: ${body.error}`);
    err.status = 502;
    throw err;
  } catch (err) {
    next(err);
  }
});

// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  res.status(err.status || 500).json({ traceId: traceId(), error: err.message });
});

async function metricsUrl() {
  const addr = await lookout.address();
  return addr ? `http://127.0.0.1:${addr.port}/metrics` : null;
}

metricsUrl().then((url) =>
  run(app, {
    tracer,
    ready: { metricsUrl: url },
    onClose: async () => {
      uninstallClients();
      await lookout.close();
    },
  }),
);
