import {
  createHttpServerLogType,
  resolveTracer,
  type LogTypeDefinition,
  type Tracer,
} from '@sofa-tracer/core';
import { tracerOptionsOf, type KoaTracerOptions } from './options';
import { createKoaServerTracing, koaServerMiddleware, type KoaMiddleware } from './wiring';

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
  const tracer: Tracer = options.tracer ?? resolveTracer(tracerOptionsOf(options));
  tracer.registerLogType(KOA_LOG_TYPE);
  const tracing = createKoaServerTracing(tracer, {
    logType: KOA_LOG_TYPE.name,
    ignorePaths: options.ignorePaths,
    extractFormats: options.extractFormats,
    redactQuery: options.redactQuery,
    customTags: options.customTags,
  });
  return koaServerMiddleware(tracing);
}
