import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Moving the tracer from a router layer to the app's `handle`.
 *
 * A middleware layer costs express' router work on every request — path match, a params object,
 * one more turn of `next()` — about 0.8 KB of garbage and a few µs on Node 24, a large part of what
 * the tracer adds to a hello-world app. When `sofaTracer()` is the app's first middleware at `/`
 * (after express 4's own `query`/`expressInit`), starting the span in `app.handle` instead is the
 * same thing to the application: every request reaches it first either way. The layer then
 * stays in the stack (removing it would shift the index of requests in flight) but never
 * matches, which costs the router one call per request.
 *
 * Anywhere else (under a path, after other middleware, in a sub-router) the layer keeps working
 * as a layer: those requests must see the middlewares before it run untraced, as mounted.
 */

type Handle = (this: unknown, req: IncomingMessage, res: ServerResponse, callback?: unknown) => unknown;

interface LayerLike {
  handle?: unknown;
  name?: string;
  /** router 2.x (express 5): the layer matches every path. */
  slash?: boolean;
  /** express 4: the layer matches every path. */
  regexp?: { fast_slash?: boolean };
  match?: (path: string) => boolean;
}

interface AppLike {
  handle?: Handle;
  _router?: { stack?: unknown };
  router?: { stack?: unknown };
}

/** express 4 puts these before any user middleware; they never end a request. */
const EXPRESS_INTERNAL_LAYERS: ReadonlySet<string> = new Set(['query', 'expressInit']);

const kHoisted = Symbol.for('sofa-tracer.express.hoistedHandle');

/** What the app's `handle` runs per request instead of the middleware layer. */
export type TracedHandle = (
  app: unknown,
  original: Handle,
  req: IncomingMessage,
  res: ServerResponse,
  callback: unknown,
) => unknown;

function routerStack(app: AppLike): unknown[] | undefined {
  let router: { stack?: unknown } | undefined;
  if (Object.prototype.hasOwnProperty.call(app, '_router')) {
    router = app._router; // express 4 (its `router` getter throws)
  } else {
    try {
      router = app.router; // express 5
    } catch {
      return undefined;
    }
  }
  const stack = router?.stack;
  return Array.isArray(stack) ? stack : undefined;
}

/**
 * Starts spans in `app.handle` when `middleware` is the app's first middleware at `/`, and makes
 * its layer never match. Returns true when done (or done before for this app).
 */
export function hoistToAppHandle(app: unknown, middleware: unknown, traced: TracedHandle): boolean {
  if (app === null || typeof app !== 'function') return false;
  const a = app as AppLike & { [kHoisted]?: unknown };
  if (a[kHoisted] === middleware) return true;
  if (a[kHoisted] !== undefined || typeof a.handle !== 'function') return false;
  const stack = routerStack(a);
  if (stack === undefined) return false;
  let layer: LayerLike | undefined;
  for (const l of stack as LayerLike[]) {
    if (l !== null && typeof l === 'object' && l.handle === middleware) {
      layer = l;
      break;
    }
    if (
      l === null ||
      typeof l !== 'object' ||
      typeof l.name !== 'string' ||
      !EXPRESS_INTERNAL_LAYERS.has(l.name)
    )
      return false;
  }
  if (layer === undefined || typeof layer.match !== 'function') return false;
  if (layer.slash !== true && layer.regexp?.fast_slash !== true) return false;
  const original = a.handle;
  a.handle = function sofaTracedAppHandle(this: unknown, req, res, callback) {
    return traced(this, original, req, res, callback);
  };
  a[kHoisted] = middleware;
  layer.match = neverMatches;
  return true;
}

function neverMatches(): boolean {
  return false;
}
