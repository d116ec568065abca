import type { ReadableSpan } from '../span/readable-span';

/**
 * An in-process consumer of finished spans (Java `SpanReportListener`): Zipkin, metrics, tests.
 * Called for every finished span — sampled or not — before the disk reporters. A listener that
 * throws is isolated: the error goes to tracer-self.log and the other listeners still run.
 */
export interface SpanListener {
  onSpanReport(span: ReadableSpan): void;
}
