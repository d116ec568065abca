import type { Server } from 'node:http';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

/** A fastify factory (either major; typed with fastify 5's types, which cover what the tests use). */
export type FastifyFactory = (opts?: FastifyServerOptions) => FastifyInstance;

/** fastify 4 and 5 side by side: the test matrix. */
export const FASTIFY_VERSIONS: [string, () => FastifyFactory][] = [
  ['fastify 4', () => require('fastify4') as FastifyFactory],
  ['fastify 5', () => require('fastify') as FastifyFactory],
];

/** Listens on 127.0.0.1 port 0; returns the base URL, the port and a closer. */
export async function start(app: FastifyInstance): Promise<{ url: string; port: number }> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}`, port: address.port };
}

/**
 * fastify's own node:http server for a caller that listens itself (the shared two-service
 * scenarios): `listen()` waits for `app.ready()` first, so no request reaches an unbooted app.
 */
export function serverOf(app: FastifyInstance): Server {
  const server = app.server;
  const listen = server.listen.bind(server) as (...args: unknown[]) => Server;
  server.listen = ((...args: unknown[]) => {
    app.ready().then(
      () => listen(...args),
      (err: unknown) => server.emit('error', err),
    );
    return server;
  }) as Server['listen'];
  return server;
}
