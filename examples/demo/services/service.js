'use strict';
// What every demo service shares: start the tracer for one app under the demo log root (plus the
// opt-in Zipkin reporter), listen on port 0, report the port to the parent over IPC, and on
// "close" stop serving and flush every finished span to disk (and to Zipkin) before exiting.
const path = require('node:path');
const { init } = require('@sofa-tracer/core');

/** The Zipkin reporter of this process, when SOFA_TRACER_ZIPKIN_BASE_URL is set. */
let zipkin;

/**
 * Starts the tracer of `appName`, writing under `<DEMO_LOG_ROOT>/<appName>/tracelog/`. With
 * SOFA_TRACER_ZIPKIN_BASE_URL set, its spans also go to that Zipkin v2 collector (opt-in: the
 * demo needs no server by default).
 */
function startTracer(appName) {
  const tracer = init({ appName, logDir: path.join(process.env.DEMO_LOG_ROOT, appName), statLogInterval: 1 });
  zipkin = process.env.SOFA_TRACER_ZIPKIN_BASE_URL
    ? require('@sofa-tracer/zipkin').enableZipkin({ tracer })
    : undefined;
  return tracer;
}

/**
 * Listens on 127.0.0.1:0 and speaks the demo's IPC protocol.
 * @param {import('express').Express} app
 * @param {{ tracer: { close(): Promise<void> }, ready?: Record<string, unknown>, onClose?: () => Promise<void> | void }} opts
 */
function run(app, opts) {
  const server = app.listen(0, '127.0.0.1', () => {
    process.send({ type: 'ready', port: server.address().port, ...(opts.ready || {}) });
  });
  process.on('message', async (msg) => {
    if (msg !== 'close') return;
    await new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
    if (opts.onClose) await opts.onClose();
    await zipkin?.close(); // sends what is queued, within its close deadline (3 s)
    await opts.tracer.close(); // flushes every finished span and pending stats to disk
    process.send({ type: 'closed' }, () => process.exit(0));
  });
  // If the demo runner dies, do not linger.
  process.on('disconnect', () => process.exit(0));
}

/** Resolves after `ms` milliseconds. */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { startTracer, run, sleep };
