'use strict';
// Child process of inject.test.ts: fastify 5's light-my-request loads the ESM-only cookie 2,
// which jest's CommonJS runtime cannot require; plain Node (≥ 20.19) can, through require(esm).
// argv: <fastify package: fastify | fastify4> <log dir>. A real app (the built plugin, dist)
// answers app.inject() calls; the statuses and the digest lines on disk go out as JSON on stdout.
const fs = require('node:fs');
const path = require('node:path');
const { createTracer } = require('@sofa-tracer/core');
const { sofaTracer, activeHttpServerSpanCount } = require('../../dist');

(async () => {
  const [pkg, logDir] = process.argv.slice(2);
  const Fastify = require(pkg);
  const tracer = createTracer({ appName: 'inject-app', logDir, statLogInterval: 3600 });
  const app = Fastify();
  await app.register(sofaTracer, { tracer });
  app.get('/users/:id', async () => ({ ok: true, span: tracer.activeSpan()?.context().spanId }));
  app.get('/throw', () => {
    throw new Error('boom');
  });
  app.post('/echo', async (req) => ({ got: req.body, span: tracer.activeSpan()?.context().spanId }));
  const before = activeHttpServerSpanCount();
  const ok = await app.inject({
    method: 'GET',
    url: '/users/5?token=x',
    headers: { 'X-B3-TraceId': '0123456789abcdef', 'X-B3-SpanId': '0.4' },
  });
  const failed = await app.inject({ method: 'GET', url: '/throw' });
  const posted = await app.inject({ method: 'POST', url: '/echo', payload: { n: 1 } });
  const open = activeHttpServerSpanCount() - before;
  await app.close();
  await tracer.close();
  const file = path.join(logDir, 'tracelog', 'fastify-digest.log');
  const lines = fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
  process.stdout.write(
    JSON.stringify({
      version: require(pkg + '/package.json').version,
      responses: [ok, failed, posted].map((r) => [r.statusCode, r.body]),
      open,
      lines,
    }),
  );
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
