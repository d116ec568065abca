import type { IncomingMessage, ServerResponse } from 'node:http';
import { EXPRESS_LOG_TYPE, httpServerTracingFor, type HttpServerTracing } from '@sofa-tracer/core';
import { hoistToAppHandle, type TracedHandle } from './app-handle';
import { hookExpressApp } from './layer-hooks';
import type { SofaTracerExpressOptions } from './options';

/** The connect-style middleware signature (no dependency on express' types). */
export type SofaTracerMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/**
 * The express middleware: one `server` span per request, continuing the caller's trace, current
 * for the whole request (async handlers included), written to `express-digest.log` /
 * `express-stat.log` with the route template. Mount it first: `app.use(sofaTracer())`.
 *
 * Uses the running global tracer, or creates it from `options` (and `SOFA_TRACER_*` env);
 * invalid tracer options throw here, at start-up, never per request.
 */
export function sofaTracer(options: SofaTracerExpressOptions = {}): SofaTracerMiddleware {
  return expressTracingMiddleware(httpServerTracingFor(options, EXPRESS_LOG_TYPE));
}

/**
 * The middleware around a ready-made {@link HttpServerTracing}, for frameworks built on express
 * that bring their own log type and options (Nest): starts the span (the caller's trace
 * continued), hooks express' router for the route template and errors, and makes the span
 * current for the rest of the request. `sofaTracer()` is this plus the express log type.
 */
export function expressTracingMiddleware(tracing: HttpServerTracing): SofaTracerMiddleware {
  const tracer = tracing.tracer;
  let lastApp: unknown = undefined;

  // Used when the middleware is the app's first (see app-handle.ts): the span starts in
  // `app.handle`, before the router, and the middleware's layer is skipped from then on.
  const tracedHandle: TracedHandle = (self, original, req, res, callback) => {
    const st = tracing.start(req, res);
    if (st === undefined) return original.call(self, req, res, callback);
    return tracer.withSpan(st.span, () => original.call(self, req, res, callback));
  };

  const middleware: SofaTracerMiddleware = function sofaTracerMiddleware(req, res, next) {
    const app = (req as { app?: unknown }).app;
    if (app !== lastApp) {
      lastApp = app;
      try {
        hookExpressApp(app);
      } catch (e) {
        tracer.selfLog.error('express: could not hook the router; routes will be UNMATCHED', e);
      }
      try {
        hoistToAppHandle(app, middleware, tracedHandle);
      } catch (e) {
        tracer.selfLog.error('express: could not start spans in app.handle; the middleware does', e);
      }
    }
    const st = tracing.start(req, res);
    if (st === undefined) {
      next();
      return;
    }
    tracer.withSpan(st.span, next);
  };
  return middleware;
}
