/**
 * @sofa-tracer/koa — SOFATracer server spans for koa 2 and 3: `app.use(sofaTracer())` writes
 * `koa-digest.log` / `koa-stat.log` with the route template from `@koa/router` / `koa-router`.
 * The koa wiring ({@link koaServerMiddleware}) is exported for frameworks built on koa (egg).
 */
export { sofaTracer, KOA_LOG_TYPE } from './middleware';
export { koaServerMiddleware, createKoaServerTracing, koaBeforeFinish } from './wiring';
export type { KoaContextLike, KoaMiddleware, KoaNext, KoaWiring } from './wiring';
export { routerRouteOf } from './route';
export type { KoaTracerOptions } from './options';
export { activeHttpServerSpanCount } from '@sofa-tracer/core';
