#!/usr/bin/env node
'use strict';
// sofa-tracer demo: two traced express services talking over HTTP, no external server needed.
//
//   demo-gateway ──fetch──────────▶ demo-backend  GET /items/:id
//                └─http.request──▶               GET /price/:id
//
// Each service runs in its own child process with its own tracer (appName) and writes digest and
// stat logs under one demo log root (DEMO_LOG_DIR, default ./demo-logs). This script drives some
// traffic (including a failing and a slow call), reads a few Lookout metrics, closes the
// services (flushing their logs), then reassembles one trace from both services' digest lines
// with @sofa-tracer/cli and prints it as a tree.
const { fork } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { buildTraceTree, listLogFiles, readDigestLines, renderTree, resolveTraceLogDirs } = require('@sofa-tracer/cli');

const LOG_ROOT = path.resolve(process.env.DEMO_LOG_DIR || 'demo-logs');
const APPS = ['demo-gateway', 'demo-backend'];

/** Forks one service and resolves once it listens, with its "ready" message. */
function startService(file, env) {
  const child = fork(path.join(__dirname, 'services', file), [], {
    env: { ...process.env, DEMO_LOG_ROOT: LOG_ROOT, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${file} exited with code ${code} before listening`)));
  });
  return ready.then((msg) => ({
    child,
    url: `http://127.0.0.1:${msg.port}`,
    metricsUrl: msg.metricsUrl,
    close: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${file} did not close within 10 s`)), 10_000);
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
  const backend = await startService('backend.js', {});
  const gateway = await startService('gateway.js', { BACKEND_URL: backend.url });
  const services = [gateway, backend];
  try {
    console.log(`  demo-backend  ${backend.url}`);
    console.log(`  demo-gateway  ${gateway.url}  (calls the backend with fetch and http.request)`);

    console.log('\ntraffic:');
    const calls = [];
    for (const p of ['/checkout/7', '/checkout/8', '/checkout/9', '/slow', '/fail', '/no-such-route']) {
      const r = await get(gateway.url, p);
      calls.push({ path: p, ...r });
      const note = r.body && r.body.error ? `  error: ${r.body.error}` : '';
      console.log(`  GET ${p.padEnd(16)} → ${r.status}  ${String(r.ms).padStart(4)} ms${note}`);
    }

    if (gateway.metricsUrl) {
      console.log(`\nmetrics: ${gateway.metricsUrl}`);
      const text = await (await fetch(gateway.metricsUrl)).text();
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
    console.log(`\nGET /checkout/7, reassembled from both services' digest logs:\n`);
    process.stdout.write(renderTree(tree));

    const failed = calls.find((c) => c.path === '/fail');
    const rel = path.relative(process.cwd(), LOG_ROOT) || '.';
    console.log('\nexplore:');
    console.log(`  npx sofa-tracer traces --dir ${rel}`);
    if (failed && failed.body.traceId) console.log(`  npx sofa-tracer tree ${failed.body.traceId} --dir ${rel}   # the failing call`);
    console.log(`  npx sofa-tracer stats --dir ${rel}`);
  } finally {
    for (const s of services) if (s.child.exitCode === null) s.child.kill();
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
