export { currentTraceId, currentSpanId, traceLogFields, type TraceLogFields } from './trace-fields';
export { pinoMixin, winstonFormat, type LogFieldNames, type WinstonLikeFormat } from './integrations';
