import type { TracerSpan } from './tracer-span';

/** What a span needs from its tracer: where to go when finished, and the baggage rules. */
export interface SpanSink {
  readonly appName: string;
  /** Called once, by `finish()`. Must not throw. */
  reportSpan(span: TracerSpan): void;
  /** Adds a biz baggage item if the length limit allows it (else drops and self-logs). */
  addBizBaggage(span: TracerSpan, key: string, value: string): void;
}
