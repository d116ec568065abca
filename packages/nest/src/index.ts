/**
 * @sofa-tracer/nest — SOFATracer for NestJS 10 and 11 on the express and fastify adapters:
 * `SofaTracerModule.forRoot({ appName })` writes `nest-digest.log` / `nest-stat.log` (route
 * template and handler), `TracerService` and `@Traced()` add business spans (`biz-digest.log`).
 */
export { SofaTracerModule } from './module';
export { TracerService } from './tracer-service';
export { Traced, type TracedOptions } from './traced';
export { NEST_LOG_TYPE, HANDLER_TAG } from './log-type';
export {
  SOFA_TRACER_NEST_OPTIONS,
  type SofaTracerNestOptions,
  type SofaTracerNestAsyncOptions,
} from './options';
export { activeHttpServerSpanCount } from '@sofa-tracer/core';
