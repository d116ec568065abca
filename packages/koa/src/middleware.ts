import { createHttpServerLogType, httpServerTracingFor, type LogTypeDefinition } from '@sofa-tracer/core';
import type { KoaTracerOptions } from './options';
import { koaBeforeFinish, koaServerMiddleware, type KoaMiddleware } from './wiring';

/** `koa-digest.log` / `koa-stat.log`: express' fields, order and stat key, under the name `koa`. */
export const KOA_LOG_TYPE: LogTypeDefinition = createHttpServerLogType('koa');

/**
 * The koa middleware: one `server` span per request, continuing the caller's trace, current for
 * the whole middleware chain, written to `koa-digest.log` / `koa-stat.log` with the route
 * template. Mount it first: `app.use(sofaTracer())`.
 *
 * Uses the running global tracer, or creates it from `options` (and `SOFA_TRACER_*` env);
 * invalid tracer options throw here, at start-up, never per request.
 */
export function sofaTracer(options: KoaTracerOptions = {}): KoaMiddleware {
  return koaServerMiddleware(httpServerTracingFor(options, KOA_LOG_TYPE, { beforeFinish: koaBeforeFinish }));
}
