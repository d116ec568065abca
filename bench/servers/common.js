'use strict';
// Shared by every benchmark server: the IPC protocol the runner speaks (ready → port; "stats" →
// memory/CPU counters; "close" → flush, report, exit), for any framework's listening server, plus
// the express hello-world app. Each variant only adds its instrumentation before serving.

/**
 * Speaks the runner's IPC protocol for one node:http server that is (or will be) listening.
 * Every framework's bench server (bench/servers/<suite>/<variant>.js) ends with this call.
 * @param {import('node:http').Server} server
 * @param {() => Promise<Record<string, unknown>>} [onClose] flushes and returns extra figures
 *   (tracing variants return `{ digestLines, droppedLines }`)
 */
function serveServer(server, onClose) {
  const announce = () => process.send({ type: 'ready', port: server.address().port, node: process.version });
  if (server.listening) announce();
  else server.once('listening', announce);
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

/**
 * The express hello-world app on 127.0.0.1:0, served over IPC.
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
  serveServer(app.listen(0, '127.0.0.1'), onClose);
}

/**
 * onClose of a traced variant: flushes the tracer (`tracer.close()`), then counts the lines of
 * `<logDir>/tracelog/<digestFile>` and the lines the writer dropped.
 * @param {{ close(): Promise<void>, fileStats?: () => Record<string, { dropped?: number }> }} tracer
 * @param {string} logDir
 * @param {string} digestFile e.g. `nest-digest.log`
 * @returns {() => Promise<{ digestLines: number, droppedLines: number }>}
 */
function closeAndCount(tracer, logDir, digestFile) {
  return async () => {
    let dropped = 0;
    for (const st of Object.values(tracer.fileStats ? tracer.fileStats() : {})) dropped += st.dropped || 0;
    await tracer.close();
    let digestLines = 0;
    try {
      const text = require('node:fs').readFileSync(
        require('node:path').join(logDir, 'tracelog', digestFile),
        'utf8',
      );
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) digestLines++;
    } catch {
      // no file: no lines
    }
    return { digestLines, droppedLines: dropped };
  };
}

module.exports = { serve, serveServer, closeAndCount };
