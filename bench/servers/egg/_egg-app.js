'use strict';
// The egg hello-world shared by this suite's variants: egg 4.0 in single-process mode (egg's
// `start`, the app and its agent in one process), GET /hello → "hello world" through egg's router
// and default middlewares, on 127.0.0.1:0, served over the runner's IPC.
const http = require('node:http');
const path = require('node:path');
const { serveServer } = require('../common');

/**
 * @param {Record<string, { enable: boolean, path: string }>} [plugins] extra plugins (the tracer)
 * @param {() => Promise<Record<string, unknown>>} [onClose] flushes and returns extra figures
 */
async function serveEgg(plugins, onClose) {
  const { start } = require('egg');
  const app = await start({ baseDir: path.join(__dirname, '_app'), env: 'prod', plugins });
  const server = http.createServer(app.callback());
  server.listen(0, '127.0.0.1');
  app.emit('server', server);
  serveServer(server, onClose);
}

module.exports = { serveEgg };
