import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import { createHttpServerLogType, httpServerTracingFor, type LogTypeDefinition } from '@sofa-tracer/core';
import type { SofaTracerFastifyOptions } from './options';
import { installFastifyTracing } from './wiring';

/** `fastify-digest.log` / `fastify-stat.log`: the express plugin's fields, order and stat key. */
export const FASTIFY_LOG_TYPE: LogTypeDefinition = createHttpServerLogType('fastify');

function sofaTracerPlugin(
  fastify: FastifyInstance,
  options: SofaTracerFastifyOptions,
  done: (err?: Error) => void,
): void {
  try {
    installFastifyTracing(fastify, httpServerTracingFor(options, FASTIFY_LOG_TYPE));
  } catch (e) {
    // invalid tracer options: register() rejects with the ConfigError, the app does not start
    done(e as Error);
    return;
  }
  done();
}

/**
 * The fastify plugin: one `server` span per request, continuing the caller's trace, current for
 * everything fastify runs for the request (hooks, body parsing, async and callback handlers,
 * streamed replies), written to `fastify-digest.log` / `fastify-stat.log` with the route
 * template. Not encapsulated (fastify-plugin), so it covers the whole app:
 * `await app.register(sofaTracer, { appName: 'orders' })`. Declares fastify `4.x || 5.x`.
 */
export const sofaTracer: FastifyPluginCallback<SofaTracerFastifyOptions> = fp(sofaTracerPlugin, {
  fastify: '4.x || 5.x',
  name: '@sofa-tracer/fastify',
});
