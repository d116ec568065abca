'use strict';
// Shared by every benchmark server: the same express hello-world app, started on port 0, and the
// IPC protocol the runner speaks (ready → port; "stats" → memory/extra counters; "close" → flush,
// report, exit). Each variant only adds its instrumentation before calling `serve`.

/**
 * @param {import('express')} express the express module (required AFTER any instrumentation)
 * @param {(app: import('express').Express) => void} [install] adds middleware before the route
 * @param {() => Promise<Record<string, unknown>>} [onClose] flushes and returns extra figures
 */
function serve(express, install, onClose) {
  const app = express();
  if (install) install(app);
  app.get('/hello', (req, res) => {
    res.send('hello world');
  });
  const server = app.listen(0, '127.0.0.1', () => {
    process.send({ type: 'ready', port: server.address().port });
  });
  server.keepAliveTimeout = 60_000;
  process.on('message', async (msg) => {
    if (msg === 'stats') {
      const cpu = process.cpuUsage();
      process.send({ type: 'stats', rss: process.memoryUsage().rss, cpuMicros: cpu.user + cpu.system });
    } else if (msg === 'close') {
      server.closeAllConnections?.();
      server.close();
      let extra = {};
      try {
        extra = onClose ? await onClose() : {};
      } catch (err) {
        extra = { closeError: String(err && err.message) };
      }
      process.send({ type: 'closed', rss: process.memoryUsage().rss, ...extra }, () => process.exit(0));
    }
  });
  // The runner going away must not leave servers behind.
  process.on('disconnect', () => process.exit(0));
}

module.exports = { serve };
