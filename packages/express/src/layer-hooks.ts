import { getHttpServerSpan, type HttpServerSpan } from '@sofa-tracer/core';
import { noteMount, routeTemplate, type ExpressRequestLike, type MountTemplate } from './route-template';

/**
 * The hook into express' router: the prototype methods every layer call goes through —
 * `handle_request`/`handle_error` (express 4's Layer) and `handleRequest`/`handleError`
 * (router 2.x, express 5). They are looked up on the prototype at call time, so patching works
 * for routers and routes defined before the middleware was created.
 *
 * What the hook does for a traced request, and nothing else:
 * - a route layer about to dispatch → record `req.baseUrl` (as a template) + `route.path`;
 * - a parameterised mount → remember its template for the routes below it;
 * - wrap `next` so an error passed to it (a `next(err)`, a throw or a rejected promise, which
 *   express turns into `next(err)`) is recorded — the same object is passed on, unchanged.
 *   Handlers inside a route are not wrapped: their errors leave the route through the route
 *   layer's `next`, which is.
 *
 * Per-layer work for untraced requests: one symbol lookup.
 */

type Next = (err?: unknown) => unknown;
type LayerFn = (this: LayerLike, req: ExpressRequestLike, res: unknown, next: Next) => unknown;
type ErrorLayerFn = (
  this: LayerLike,
  err: unknown,
  req: ExpressRequestLike,
  res: unknown,
  next: Next,
) => unknown;

interface LayerLike {
  /** Set on the router-level layer of a route (`router.route(path)`). */
  route?: { path?: unknown } | null;
  /** Set on the layers inside a route (one per handler); undefined on router-level layers. */
  method?: string;
}

const kPatched = Symbol.for('sofa-tracer.express.layerPatched');

/**
 * `next` that records the error it is given. The router hands the same `next` to every layer it
 * runs for a request, so the last wrapper is cached on the request state: consecutive
 * middlewares of one router share one closure.
 */
function wrapNext(st: HttpServerSpan, next: Next): Next {
  if (st.pluginIn === next) return st.pluginOut as Next;
  const wrapped = function tracedNext(err?: unknown) {
    if (err !== undefined && err !== null) st.recordError(err);
    // `arguments` keeps the exact call shape (express 5 treats next() and next(undefined) alike; so does 4)
    // eslint-disable-next-line prefer-rest-params -- forwards the exact call without allocating an array
    return Reflect.apply(next, undefined, arguments);
  };
  st.pluginIn = next;
  st.pluginOut = wrapped;
  return wrapped;
}

function hookRequest(original: LayerFn): LayerFn {
  return function sofaTracedHandleRequest(this: LayerLike, req, res, next) {
    const st = getHttpServerSpan(req);
    if (st === undefined || st.finished || typeof next !== 'function')
      return original.call(this, req, res, next);
    const route = this.route;
    if (route !== undefined && route !== null) {
      st.route = routeTemplate(req, route.path, st.pluginData as MountTemplate | undefined);
    } else if (this.method === undefined) {
      const mount = noteMount(req, st.pluginData as MountTemplate | undefined);
      if (mount !== undefined) st.pluginData = mount;
    } else {
      // A handler inside a route: an error it passes on goes through the route's `next` to the
      // router's `next`, which the route's own layer got wrapped — no closure needed here.
      return original.call(this, req, res, next);
    }
    return original.call(this, req, res, wrapNext(st, next));
  };
}

function hookError(original: ErrorLayerFn): ErrorLayerFn {
  return function sofaTracedHandleError(this: LayerLike, err, req, res, next) {
    const st = getHttpServerSpan(req);
    if (st === undefined || st.finished || typeof next !== 'function')
      return original.call(this, err, req, res, next);
    // errors raised where no wrapped `next` saw them (param callbacks, path decoding) land here
    st.recordError(err);
    return original.call(this, err, req, res, wrapNext(st, next));
  };
}

function patchPrototype(proto: Record<PropertyKey, unknown>): void {
  if (proto[kPatched] === true) return;
  proto[kPatched] = true;
  for (const name of ['handle_request', 'handleRequest']) {
    const fn = proto[name];
    if (typeof fn === 'function') proto[name] = hookRequest(fn as LayerFn);
  }
  for (const name of ['handle_error', 'handleError']) {
    const fn = proto[name];
    if (typeof fn === 'function') proto[name] = hookError(fn as ErrorLayerFn);
  }
}

interface AppLike {
  _router?: { stack?: unknown[] };
  router?: { stack?: unknown[] };
}

/**
 * Finds the Layer class of the express copy serving `app` (from its router stack, so the right
 * copy is patched whatever the module layout: express 4 and 5 side by side, nested
 * node_modules) and hooks it once. Returns false when the app does not look like express.
 */
export function hookExpressApp(app: unknown): boolean {
  if (app === null || (typeof app !== 'function' && typeof app !== 'object')) return false;
  const a = app as AppLike;
  // express 4 keeps the router in `_router` (its `app.router` getter throws); express 5 in `router`
  const router =
    a._router !== undefined
      ? a._router
      : Object.prototype.hasOwnProperty.call(a, '_router')
        ? undefined
        : safeRouter(a);
  const stack = router?.stack;
  if (!Array.isArray(stack) || stack.length === 0) return false;
  const proto = Object.getPrototypeOf(stack[0]) as Record<PropertyKey, unknown> | null;
  if (proto === null || proto === Object.prototype) return false;
  patchPrototype(proto);
  return true;
}

function safeRouter(a: AppLike): AppLike['router'] {
  try {
    return a.router;
  } catch {
    return undefined;
  }
}
