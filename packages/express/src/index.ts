/**
 * @sofa-tracer/express — SOFATracer server spans for express 4 and 5:
 * `app.use(sofaTracer())` writes `express-digest.log` / `express-stat.log`.
 */
export { sofaTracer, expressTracingMiddleware, type SofaTracerMiddleware } from './middleware';
export type { SofaTracerExpressOptions } from './options';
export { routeTemplate, routePathText } from './route-template';
export { hookExpressApp } from './layer-hooks';
export { EXPRESS_LOG_TYPE, activeHttpServerSpanCount } from '@sofa-tracer/core';
