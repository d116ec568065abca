import { spanStorage } from '../context/storage';

/** Trace ids for the application's own log lines (the Node counterpart of Java's MDC). */
export interface TraceLogFields {
  traceId: string;
  spanId: string;
}

/** The current trace id, or `""` outside any span. */
export function currentTraceId(): string {
  return spanStorage.getStore()?.context().traceId ?? '';
}

/** The current span id, or `""` outside any span. */
export function currentSpanId(): string {
  return spanStorage.getStore()?.context().spanId ?? '';
}

/** `{ traceId, spanId }` of the current span, or undefined outside any span. */
export function traceLogFields(): TraceLogFields | undefined {
  const span = spanStorage.getStore();
  if (!span) return undefined;
  const ctx = span.context();
  return { traceId: ctx.traceId, spanId: ctx.spanId };
}
