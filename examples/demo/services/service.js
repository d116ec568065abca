'use strict';
// What both demo services share: start the tracer for one app under the demo log root, listen on
// port 0, report the port to the parent over IPC, and on "close" stop serving and flush every
// finished span to disk before exiting.
const path = require('node:path');
const { init } = require('@sofa-tracer/core');

/** Starts the tracer of `appName`, writing under `<DEMO_LOG_ROOT>/<appName>/tracelog/`. */
function startTracer(appName) {
  return init({ appName, logDir: path.join(process.env.DEMO_LOG_ROOT, appName), statLogInterval: 1 });
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
    await opts.tracer.close(); // flushes every finished span and pending stats to disk
    process.send({ type: 'closed' }, () => process.exit(0));
  });
  // If the demo runner dies, do not linger.
  process.on('disconnect', () => process.exit(0));
}

/** Resolves after `ms` milliseconds. */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { startTracer, run, sleep };
