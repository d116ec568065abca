import type { EventEmitter } from 'node:events';
import type { LogTypeDefinition } from '../log-types/log-type';
import type { SelfLog } from '../log/self-log';
import type { ReadableSpan, SpanKind, TagValue } from '../span/readable-span';
import type { SpanContext } from '../span/span-context';
import type { SpanListener } from '../reporting/span-listener';

import type { CarrierFormat } from '../propagation/propagator';

/** Carrier formats of `extract`/`inject`: HTTP headers (URL-encoded baggage) or a text map (Kafka). */
export type { CarrierFormat };

/**
 * A carrier: Node's `IncomingHttpHeaders`/`OutgoingHttpHeaders`, a fetch `Headers`, a plain
 * object (any header-name case), or Kafka message headers (Buffer values).
 */
export type Carrier =
  | Record<string, string | string[] | number | Buffer | (string | Buffer)[] | undefined | null>
  | { get(name: string): string | null; set(name: string, value: string): void };

/** Options of `tracer.startSpan`. */
export interface StartSpanOptions {
  /** `span.kind`; default `internal`. */
  kind?: SpanKind;
  /** Parent: a span, a context (e.g. from `extract`), or `null` for a new root. Default: the active span. */
  childOf?: Span | SpanContext | null;
  /** Initial tags. */
  tags?: Record<string, TagValue>;
  /** Log type in the registry (decides the digest/stat files); default `biz`. */
  logType?: string;
  /** Start time, epoch ms; default now. */
  startTime?: number;
}

/** A span being recorded. All setters return the span for chaining and never throw. */
export interface Span extends ReadableSpan {
  setTag(key: string, value: TagValue): this;
  setTags(tags: Record<string, TagValue>): this;
  log(fields: Record<string, TagValue>, time?: number): this;
  /** Sets a biz baggage item (propagated downstream; subject to the baggage length limit). */
  setBaggageItem(key: string, value: string): this;
  getBaggageItem(key: string): string | undefined;
  setOperationName(name: string): this;
  /** Records an error (the `error` digest field and listeners); does not change the result code. */
  setError(error: unknown): this;
  /** Sets `result.code` (HTTP status as a string, `00`, `99`…). */
  setResultCode(code: string | number): this;
  /** Ends the span and reports it; later calls are ignored. */
  finish(endTime?: number): void;
}

/** The tracer: the one object plugins and business code talk to. */
export interface Tracer {
  /** `local.app`. */
  readonly appName: string;
  /** Where the tracer reports its own troubles. */
  readonly selfLog: SelfLog;
  startSpan(operationName: string, options?: StartSpanOptions): Span;
  /** Runs `fn` with `span` as the active span (across await, timers, promises and emitters). */
  withSpan<T>(span: Span | undefined, fn: () => T): T;
  /** The span active in the current async context. */
  activeSpan(): Span | undefined;
  /** Reads an incoming context; `null` when nothing valid is there. Never throws. */
  extract(format: CarrierFormat, carrier: Carrier | undefined | null): SpanContext | null;
  /** Writes `context` into `carrier` in every configured inject format. Never throws. */
  inject(context: SpanContext, format: CarrierFormat, carrier: Carrier): void;
  /** Binds `fn` to the current (or given) span's context. */
  bind<F extends (...args: never[]) => unknown>(fn: F, span?: Span): F;
  /** Binds every listener later added to `emitter` to the current (or given) span's context. */
  bindEmitter<E extends EventEmitter>(emitter: E, span?: Span): E;
  addSpanListener(listener: SpanListener): void;
  removeSpanListener(listener: SpanListener): void;
  /** Declares a plugin's log files, digest fields, stat key and success rule (idempotent by name). */
  registerLogType(definition: LogTypeDefinition): void;
  /** Resolves once every span finished so far is on disk. */
  flush(): Promise<void>;
  /** Flushes, prints pending stats, closes files and stops timers. Idempotent. */
  close(): Promise<void>;
}
