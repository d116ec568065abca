#!/usr/bin/env node
'use strict';
// sofa-tracer demo: one trace through every framework plugin, no external server needed.
//
//   demo-gateway ─fetch──────▶ demo-koa ─fetch─▶ demo-egg ─ctx.curl─▶ demo-backend (express)
//   (express)                  (koa)            (egg BFF) └ctx.curl─▶ demo-nest (@Traced lookup)
//                └http.request▶ demo-fastify
//                └fetch───────▶ demo-orders ─kafka─▶ its consumer  (when a Kafka broker is available)
//
// Each service runs in its own child process with its own tracer (appName) and writes digest and
// stat logs under one demo log root (DEMO_LOG_DIR, default ./demo-logs); services start in
// parallel as soon as the ones they call listen. This script drives some traffic (including a
// failing and a slow call), reads a few Lookout metrics, closes the services (flushing their
// logs), then reassembles one trace from all services' digest lines with @sofa-tracer/cli and
// prints it as a tree. SOFA_TRACER_ZIPKIN_BASE_URL also sends every span to that Zipkin.
const { fork } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const {
  buildTraceTree,
  listLogFiles,
  readDigestLines,
  renderTree,
  resolveTraceLogDirs,
} = require('@sofa-tracer/cli');

const LOG_ROOT = path.resolve(process.env.DEMO_LOG_DIR || 'demo-logs');
const APPS = [
  'demo-gateway',
  'demo-koa',
  'demo-egg',
  'demo-nest',
  'demo-backend',
  'demo-fastify',
  'demo-orders',
];
const KAFKA_HINT =
  'enable it with `bash tools/kafka/install.sh` (librdkafka mock broker) or DEMO_KAFKA_BROKERS=host:9092';

/** Every forked child, so a failed start still stops the others. */
const children = [];

/** Forks one service and resolves once it listens, with its "ready" message. */
function startService(file, env) {
  const child = fork(path.join(__dirname, 'services', file), [], {
    env: { ...process.env, DEMO_LOG_ROOT: LOG_ROOT, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  const ready = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${file} exited with code ${code} before listening`)));
  });
  return ready.then((msg) => ({
    child,
    url: `http://127.0.0.1:${msg.port}`,
    ready: msg,
    close: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${file} did not close within 60 s`)), 60_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send('close');
      }),
  }));
}

async function get(base, pathname) {
  const started = Date.now();
  const res = await fetch(base + pathname);
  const body = await res.json().catch(() => ({}));
  return { status: res.status, body, ms: Date.now() - started };
}

async function main() {
  // Start from empty service directories so the printed files hold only this run.
  for (const app of APPS) fs.rmSync(path.join(LOG_ROOT, app), { recursive: true, force: true });
  fs.mkdirSync(LOG_ROOT, { recursive: true });

  console.log('sofa-tracer demo');
  console.log(`  log root: ${LOG_ROOT}`);
  const zipkinUrl = process.env.SOFA_TRACER_ZIPKIN_BASE_URL;
  console.log(
    zipkinUrl
      ? `  zipkin: every service also reports its spans to ${zipkinUrl}`
      : '  zipkin: off (set SOFA_TRACER_ZIPKIN_BASE_URL=http://localhost:9411 to send the spans to Zipkin too)',
  );

  // Each service starts once the services it calls listen; the rest start in parallel (egg and
  // the Kafka consumer group take the longest).
  const backendP = startService('backend.js', {});
  const nestP = startService('nest.js', {});
  const fastifyP = startService('fastify.js', {});
  const ordersP = startService('kafka.js', {});
  const eggP = Promise.all([backendP, nestP]).then(([b, n]) =>
    startService('egg.js', { BACKEND_URL: b.url, NEST_URL: n.url }),
  );
  const koaP = eggP.then((e) => startService('koa.js', { EGG_URL: e.url }));
  const gatewayP = Promise.all([backendP, koaP, fastifyP, ordersP]).then(([b, k, f, o]) =>
    startService('gateway.js', {
      BACKEND_URL: b.url,
      KOA_URL: k.url,
      FASTIFY_URL: f.url,
      ...(o.ready.kafka ? { ORDERS_URL: o.url } : {}),
    }),
  );
  const all = [gatewayP, koaP, eggP, nestP, backendP, fastifyP, ordersP];
  const settled = await Promise.allSettled(all);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) {
    for (const c of children) if (c.exitCode === null) c.kill();
    throw failed.reason;
  }
  const [gateway, koa, egg, nest, backend, fastify, orders] = settled.map((r) => r.value);
  const services = [gateway, koa, egg, nest, backend, fastify, orders];
  try {
    console.log(
      `  demo-gateway  ${gateway.url}  express: fetch → koa, http.request → fastify${orders.ready.kafka ? ', fetch → orders' : ''}`,
    );
    console.log(`  demo-koa      ${koa.url}  koa: the storefront, fetch → egg`);
    console.log(`  demo-egg      ${egg.url}  egg: the BFF, ctx.curl → backend and nest`);
    console.log(`  demo-nest     ${nest.url}  Nest: stock, a @Traced business span`);
    console.log(`  demo-backend  ${backend.url}  express: items`);
    console.log(`  demo-fastify  ${fastify.url}  fastify: prices`);
    console.log(
      orders.ready.kafka
        ? `  demo-orders   ${orders.url}  express + kafkajs: publishes the order, its consumer ships it`
        : `  demo-orders   Kafka hop off: ${orders.ready.kafkaError}; ${KAFKA_HINT}`,
    );

    console.log('\ntraffic:');
    const calls = [];
    for (const p of ['/checkout/7', '/checkout/8', '/checkout/9', '/slow', '/fail', '/no-such-route']) {
      const r = await get(gateway.url, p);
      calls.push({ path: p, ...r });
      const note = r.body && r.body.error ? `  error: ${r.body.error}` : '';
      console.log(`  GET ${p.padEnd(16)} → ${r.status}  ${String(r.ms).padStart(4)} ms${note}`);
    }

    const metricsUrl = gateway.ready.metricsUrl;
    if (metricsUrl) {
      console.log(`\nmetrics: ${metricsUrl}`);
      const text = await (await fetch(metricsUrl)).text();
      const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
      // The RED metrics derived from spans: request counts by route/status, server and client.
      const pick = lines.filter((l) => /^http_(server|client)_requests_total\{/.test(l)).slice(0, 8);
      for (const l of pick.length > 0 ? pick : lines.slice(0, 6)) console.log(`  ${l}`);
      console.log(`  … ${lines.length} samples in all`);
    } else {
      console.log('\nmetrics: the /metrics port was not available; skipped');
    }

    await Promise.all(services.map((s) => s.close()));
    console.log('\nservices stopped; tracers closed and logs flushed');

    const dirs = await resolveTraceLogDirs([LOG_ROOT]);
    console.log('\nlog files:');
    for (const f of [...(await listLogFiles(dirs, 'digest')), ...(await listLogFiles(dirs, 'stat'))]) {
      const lines = fs.readFileSync(f.path, 'utf8').split('\n').filter(Boolean).length;
      console.log(`  ${path.relative(process.cwd(), f.path) || f.path}  (${lines} lines)`);
    }

    const checkout = calls.find((c) => c.path === '/checkout/7');
    const traceId = checkout && checkout.body.traceId;
    if (!traceId) throw new Error('the gateway did not report a trace id for /checkout/7');
    const records = await readDigestLines(dirs, { traceId });
    const tree = buildTraceTree(records, traceId);
    console.log(`\nGET /checkout/7, reassembled from ${tree.apps.length} services' digest logs:\n`);
    process.stdout.write(renderTree(tree));

    // egg's tracer slot: egg-logger's context prefix carries the same SOFA trace id
    const eggLog = path.join(LOG_ROOT, 'demo-egg', 'egg-logs', 'demo-egg-web.log');
    const eggLine = fs.existsSync(eggLog)
      ? fs
          .readFileSync(eggLog, 'utf8')
          .split('\n')
          .find((l) => l.includes(traceId))
      : undefined;
    if (eggLine)
      console.log(`\negg-logger, same trace id (${path.relative(process.cwd(), eggLog)}):\n  ${eggLine}`);

    const failed = calls.find((c) => c.path === '/fail');
    const rel = path.relative(process.cwd(), LOG_ROOT) || '.';
    console.log('\nexplore:');
    console.log(`  npx sofa-tracer traces --dir ${rel}`);
    if (failed && failed.body.traceId)
      console.log(`  npx sofa-tracer tree ${failed.body.traceId} --dir ${rel}   # the failing call`);
    console.log(`  npx sofa-tracer stats --dir ${rel}`);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
  }
}

main().then(
  () => {
    process.exitCode = 0;
  },
  (err) => {
    console.error(`demo failed: ${err.stack || err}`);
    process.exitCode = 1;
  },
);
