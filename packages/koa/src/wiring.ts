import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  getHttpServerSpan,
  HttpServerTracing,
  type HttpServerSpan,
  type HttpServerTracingOptions,
  type Tracer,
} from '@sofa-tracer/core';
import { routerRouteOf } from './route';

/** What the wiring reads from a koa context (koa 2, koa 3, egg's context): no koa types needed. */
export interface KoaContextLike {
  /** Node's request. */
  readonly req: IncomingMessage;
  /** Node's response. */
  readonly res: ServerResponse;
  /** The koa application (its `emit('error', err, ctx)` is how koa reports request errors). */
  readonly app?: unknown;
}

/** koa's `next`: runs the rest of the middleware chain. */
export type KoaNext = () => Promise<unknown>;

/** A koa middleware as this package returns it. */
export type KoaMiddleware = (ctx: KoaContextLike, next: KoaNext) => Promise<void>;

/**
 * How a framework built on koa adapts the wiring (egg: its own route source, `ctx.tracer`).
 * Both hooks are optional; an exception in either is self-logged, never thrown into the app.
 */
export interface KoaWiring {
  /**
   * Route template of a request, called when the middleware chain has settled (and when a
   * response closes before that: client aborts). Default: {@link routerRouteOf} (@koa/router,
   * koa-router). `undefined` → `UNMATCHED`.
   */
  routeOf?(ctx: KoaContextLike): string | undefined;
  /** Called once the request's span has started, before the rest of the chain runs. */
  onSpan?(ctx: KoaContextLike, span: HttpServerSpan): void;
}

type RouteOf = (ctx: KoaContextLike) => string | undefined;

const kErrorsHooked = Symbol.for('sofa-tracer.koa.errorsHooked');

function selfLogError(tracer: Tracer, what: string, e: unknown): void {
  try {
    tracer.selfLog.error('koa: ' + what, e);
  } catch {
    // the self-log must not break the request either
  }
}

/**
 * Sets `st.route` from the context the wiring stored on the span state (no closure per request).
 * A throwing `routeOf` propagates: the middleware self-logs it, core does in `beforeFinish`.
 */
function settleRoute(st: HttpServerSpan): void {
  const routeOf = st.pluginIn as RouteOf | undefined;
  const ctx = st.pluginData as KoaContextLike | undefined;
  if (typeof routeOf !== 'function' || ctx === undefined) return;
  const route = routeOf(ctx);
  if (typeof route === 'string' && route.length > 0) st.route = route;
}

/**
 * The `beforeFinish` hook of koa-based servers: sets the route of a response that closed before
 * the middleware chain settled (a client abort), from the context the wiring keeps on the state.
 * {@link createKoaServerTracing} installs it; pass it yourself when building `HttpServerTracing`
 * another way (core's `httpServerTracingFor(options, logType, { beforeFinish: koaBeforeFinish })`).
 */
export function koaBeforeFinish(st: HttpServerSpan): void {
  if (st.route === undefined) settleRoute(st);
}

/**
 * The {@link HttpServerTracing} for koa-based servers: `options` as core's, with
 * {@link koaBeforeFinish} (any `beforeFinish` given runs after it). Use it with
 * {@link koaServerMiddleware}.
 */
export function createKoaServerTracing(tracer: Tracer, options: HttpServerTracingOptions): HttpServerTracing {
  const userBeforeFinish = options.beforeFinish;
  return new HttpServerTracing(tracer, {
    ...options,
    beforeFinish:
      userBeforeFinish === undefined
        ? koaBeforeFinish
        : (st) => {
            koaBeforeFinish(st);
            userBeforeFinish(st);
          },
  });
}

type Emit = (this: unknown, event: unknown, ...args: unknown[]) => unknown;

/**
 * Wraps `app.emit` of one koa app once: koa reports every request error as
 * `app.emit('error', err, ctx)` — from `ctx.onerror` (rejections of the middleware chain, errors of
 * streamed bodies after the chain returned, which no middleware sees; egg's onerror too), and
 * from error middlewares that follow koa's convention of re-emitting what they caught. The error
 * is recorded on the request's span, then emitted unchanged. Other events pass straight through.
 */
function hookAppErrors(app: Record<PropertyKey, unknown>): void {
  if (app[kErrorsHooked] === true) return;
  const original = app.emit;
  if (typeof original !== 'function') return;
  app[kErrorsHooked] = true;
  app.emit = function sofaTracedEmit(this: unknown, event: unknown, err: unknown, ctx: unknown): unknown {
    if (event === 'error' && ctx !== null && typeof ctx === 'object') {
      const req = (ctx as Partial<KoaContextLike>).req;
      const st = req !== undefined && req !== null ? getHttpServerSpan(req) : undefined;
      if (st !== undefined && !st.finished) st.recordError(err);
    }
    // eslint-disable-next-line prefer-rest-params -- forwards the exact call without allocating an array
    return Reflect.apply(original as Emit, this, arguments);
  };
}

/**
 * The koa wiring every koa-based plugin shares: a middleware (mount it first) that starts the
 * request's `server` span through core's `tracing`, keeps it current for the whole middleware
 * chain (async work started in it included), records a rejection of the chain and re-throws the
 * very same object (so `app.on('error')` and error middlewares see it unchanged), and sets the
 * route template when the chain settles. Status, sizes, aborts (`499`) and the digest/stat lines
 * are core's; a final status ≥ 500 is a failure in the stat log even when the error was swallowed.
 *
 * @param tracing from {@link createKoaServerTracing} (a plain `HttpServerTracing` works too, but
 *   aborted requests then keep `UNMATCHED`).
 * @param wiring the framework's route source and span hook (egg).
 */
export function koaServerMiddleware(tracing: HttpServerTracing, wiring: KoaWiring = {}): KoaMiddleware {
  const tracer = tracing.tracer;
  const routeOf: RouteOf = typeof wiring.routeOf === 'function' ? wiring.routeOf.bind(wiring) : routerRouteOf;
  const onSpan = typeof wiring.onSpan === 'function' ? wiring.onSpan.bind(wiring) : undefined;
  let lastApp: unknown = undefined;

  return async function sofaTracerKoa(ctx: KoaContextLike, next: KoaNext): Promise<void> {
    const app = ctx.app;
    if (app !== lastApp) {
      lastApp = app;
      try {
        if (app !== null && typeof app === 'object') hookAppErrors(app as Record<PropertyKey, unknown>);
      } catch (e) {
        selfLogError(tracer, 'could not hook app.emit; errors reported only through it are not recorded', e);
      }
    }
    const st = tracing.start(ctx.req, ctx.res);
    if (st === undefined) {
      await next();
      return;
    }
    st.pluginData = ctx;
    st.pluginIn = routeOf;
    if (onSpan !== undefined) {
      try {
        onSpan(ctx, st);
      } catch (e) {
        selfLogError(tracer, 'onSpan hook failed', e);
      }
    }
    try {
      await tracer.withSpan(st.span, next);
    } catch (err) {
      st.recordError(err);
      throw err;
    } finally {
      if (!st.finished) {
        try {
          settleRoute(st);
        } catch (e) {
          selfLogError(tracer, 'route lookup failed; the route is UNMATCHED', e);
        }
      }
    }
  };
}
