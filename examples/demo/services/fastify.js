'use strict';
// The fastify service ("demo-fastify"): prices, on fastify 5 with the sofaTracer plugin. The
// gateway (express) calls it with node:http's http.request, so the tree shows express → fastify:
// the fastify server span continues the caller's trace (0.2 → 0.2.1) and names the route template
// of a prefixed plugin (/prices/:id), never the raw path.
const { startTracer, run } = require('./service');

const tracer = startTracer('demo-fastify');
const Fastify = require('fastify');
const sofaTracer = require('@sofa-tracer/fastify');

async function main() {
  const app = Fastify();
  await app.register(sofaTracer); // the one line: every route of the app, 404s included
  await app.register(
    async (prices) => {
      prices.get('/:id', async (req) => ({ id: req.params.id, price: 10 + Number(req.params.id) }));
    },
    { prefix: '/prices' },
  );
  await app.ready();
  // fastify's server is a node:http server: serve it with the demo's IPC protocol
  run({ listen: (port, host, cb) => app.server.listen(port, host, cb) }, { tracer });
}

main().catch((err) => {
  console.error('demo-fastify failed to start:', err);
  process.exit(1);
});
