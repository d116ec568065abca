'use strict';
// The fastify hello-world shared by this suite's variants: fastify 5, GET /hello → "hello world",
// on 127.0.0.1:0, served over the runner's IPC.
const { serveServer } = require('../common');

/**
 * @param {(app: import('fastify').FastifyInstance) => Promise<void> | void} [install] registers
 *   plugins before the route
 * @param {() => Promise<Record<string, unknown>>} [onClose] flushes and returns extra figures
 */
async function serveFastify(install, onClose) {
  const app = require('fastify')();
  if (install) await install(app);
  app.get('/hello', (request, reply) => {
    reply.send('hello world');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  serveServer(app.server, onClose);
}

module.exports = { serveFastify };
