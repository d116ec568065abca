/**
 * @sofa-tracer/egg — the egg plugin (`eggPlugin.name`: `sofaTracer`, egg 3 and 4.0): server spans
 * in `egg-digest.log` / `egg-stat.log` with egg's route templates, `ctx.tracer` / `ctx.traceId` /
 * `app.tracer` (egg's tracer slot, so egg-logger prints the SOFA trace id), `ctx.curl` /
 * `app.httpclient` client spans, and one root span per schedule run.
 *
 * Enable it in `config/plugin.js`: `exports.sofaTracer = { enable: true, package: '@sofa-tracer/egg' }`.
 * The exports below are what the plugin's egg files load; they are public for custom frameworks.
 */
export { SofaTracerAppBoot, SofaTracerAgentBoot, MIDDLEWARE_NAME, DEFAULT_METRICS_PORT } from './boot';
export {
  ClusterMetricsServer,
  answerMetricsRequests,
  METRICS_REQUEST,
  METRICS_RESPONSE,
  type ClusterMetricsServerOptions,
  type EggMessenger,
} from './cluster-metrics';
export { eggServerMiddleware } from './middleware';
export { SofaEggTracer, setContextSpan, contextSpan } from './egg-tracer';
export { contextExtension, applicationExtension, type EggTracerClass } from './extend';
export { traceScheduleTasks, scheduleName, type ScheduleAppLike } from './schedule';
export { startEggTracer, stopEggTracer, eggTracerState, type EggAppLike, type EggTracerState } from './state';
export {
  validateEggConfig,
  tracerOptionsOf,
  lookoutConfigOf,
  type SofaTracerEggConfig,
  type EggLookoutConfig,
} from './options';
export { EGG_LOG_TYPE } from './log-type';
