/**
 * @sofa-tracer/core — SOFATracer for Node.js: spans with SOFA ids, context propagation
 * (SOFA B3, sftc_head, W3C Trace Context + Baggage, B3), samplers, and digest/stat log files.
 */
export { init, getTracer, tryGetTracer, resolveTracer, createTracer } from './tracer/global';
export { SofaTracer, MAX_SPAN_DEPTH, type TracerInternals } from './tracer/sofa-tracer';
export type { Tracer, Span, StartSpanOptions, Carrier } from './tracer/types';
export { SpanContext, parentIdOf } from './span/span-context';
export type { ReadableSpan, SpanKind, TagValue, SpanLogRecord } from './span/readable-span';
export { errorMessage } from './span/tracer-span';
export type { TracerOptions, ResolvedConfig } from './config/options';
export { resolveConfig } from './config/resolve-config';
export { ConfigError } from './config/config-error';
export { readBoolean, readNumber, readEnum, readList, readMap } from './config/env-parsers';
export * from './sampling';
export * from './reporting';
export * from './log-types';
export * from './encoding';
export * from './context';
export * from './logging';
export { traceFunction, traced, type TraceFunctionOptions } from './manual/trace-function';
export * from './ids';
export * from './propagation';
export * from './log';
export * from './http';
export * from './messaging/kafka';
