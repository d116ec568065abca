/**
 * The route template of a koa request routed by `@koa/router` (12–15) or `koa-router` (14),
 * read from what the router leaves on `ctx` — nothing is patched, so routers of any version and
 * routes registered after `app.use(router.routes())` are covered alike.
 *
 * The router flattens nested routers (`router.use('/p', child.routes())`, prefixes) into layers
 * whose `path` is the full template, and records every layer whose path matched in
 * `ctx.matched`. `ctx._matchedRoute` holds the path of the last layer entered — which can be a
 * `router.use` middleware (`([^/]*)`, `{/*rest}`, `(.*)`) that runs after the route and
 * overwrites it. So: the route is `ctx._matchedRoute` when it names a matched layer with the
 * request's method (the route that ran), else the last such layer (the router's own choice
 * since @koa/router 15); a middleware layer's path is never taken.
 */

interface LayerLike {
  path?: unknown;
  methods?: unknown;
}

/** What this module reads from a koa context. */
interface RoutedContext {
  method?: unknown;
  matched?: unknown;
  _matchedRoute?: unknown;
}

/** A layer path as text: strings as they are, RegExp routes as `/source/flags`. */
function pathText(path: unknown): string | undefined {
  if (typeof path === 'string') return path;
  if (path instanceof RegExp) return String(path);
  return undefined;
}

/**
 * Route template of a request routed by @koa/router / koa-router, or `undefined` when no route
 * matched (no router, no layer for this path and method). Never throws for odd `ctx` contents.
 */
export function routerRouteOf(ctx: object): string | undefined {
  const c = ctx as RoutedContext;
  const matched = c.matched;
  if (!Array.isArray(matched)) return undefined;
  const current = c._matchedRoute;
  const method = c.method;
  let last: unknown = undefined;
  for (let i = 0; i < matched.length; i++) {
    const layer = matched[i] as LayerLike | null | undefined;
    if (layer === null || typeof layer !== 'object') continue;
    const methods = layer.methods;
    if (!Array.isArray(methods) || methods.length === 0 || !methods.includes(method)) continue;
    if (layer.path === current) return pathText(current);
    last = layer.path;
  }
  return pathText(last);
}
