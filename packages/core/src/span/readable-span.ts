import type { SpanContext } from './span-context';

/** The `span.kind` of a span, as written in digest logs. */
export type SpanKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal';

/** A tag value. Numbers and booleans are written raw in JSON digest lines. */
export type TagValue = string | number | boolean;

/** One `span.log(...)` record. */
export interface SpanLogRecord {
  /** Epoch milliseconds. */
  readonly time: number;
  readonly fields: Readonly<Record<string, TagValue>>;
}

/**
 * What a finished span exposes to span listeners and reporters (Zipkin, Lookout metrics, tests).
 * Plugins put their digest fields in `tags`, under the field names of their log type.
 */
export interface ReadableSpan {
  /** Operation name, e.g. `GET /users/:id`. */
  readonly operationName: string;
  /** `server`, `client`, … */
  readonly kind: SpanKind;
  /** Name of the log type in the registry (`express`, `httpclient`, `biz`, …). */
  readonly logType: string;
  /** `local.app`: the tracer's application name. */
  readonly localApp: string;
  /** Start, epoch milliseconds. */
  readonly startTime: number;
  /** End, epoch milliseconds (0 until finished). */
  readonly endTime: number;
  /** Duration in milliseconds, from a monotonic clock (fractional). */
  readonly durationMs: number;
  /** `result.code` (HTTP status as a string, `00`/`99`/`03` for MQ, …); `""` when unset. */
  readonly resultCode: string;
  /** The error recorded on the span, if any. */
  readonly error: unknown;
  /** Tags, including plugin digest fields. */
  readonly tags: Readonly<Record<string, TagValue>>;
  /** Log records. */
  readonly logs: readonly SpanLogRecord[];
  /** `current.thread.name` (Node: `main` or `worker-<id>`). */
  readonly threadName: string;
  /** True once `finish()` ran. */
  readonly finished: boolean;
  /** The propagated context (ids, sampled flag, baggage). */
  context(): SpanContext;
}
