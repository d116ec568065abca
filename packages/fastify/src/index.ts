/**
 * @sofa-tracer/fastify — SOFATracer server spans for fastify 4 and 5:
 * `await app.register(sofaTracer)` writes `fastify-digest.log` / `fastify-stat.log`.
 */
import { sofaTracer } from './plugin';

export { sofaTracer, FASTIFY_LOG_TYPE } from './plugin';
export { installFastifyTracing, type FastifyWiring } from './wiring';
export { fastifyRoute } from './route';
export type { SofaTracerFastifyOptions } from './options';
export { activeHttpServerSpanCount } from '@sofa-tracer/core';
export default sofaTracer;
