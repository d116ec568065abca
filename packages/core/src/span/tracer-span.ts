import { performance } from 'node:perf_hooks';
import type { Span } from '../tracer/types';
import type { SpanKind, SpanLogRecord, TagValue } from './readable-span';
import type { SpanContext } from './span-context';
import type { SpanSink } from './span-sink';
import { THREAD_NAME } from './thread-name';

const EMPTY_LOGS: readonly SpanLogRecord[] = Object.freeze([]);

/** The tracer's span. Created by `tracer.startSpan`; reported once by `finish()`. */
export class TracerSpan implements Span {
  endTime = 0;
  durationMs = 0;
  resultCode = '';
  error: unknown = undefined;
  finished = false;
  logs: readonly SpanLogRecord[] = EMPTY_LOGS;
  readonly threadName: string = THREAD_NAME;
  private readonly startHr: number;

  /** @internal created by the tracer only. */
  constructor(
    private readonly sink: SpanSink,
    private readonly ctx: SpanContext,
    public operationName: string,
    readonly kind: SpanKind,
    readonly logType: string,
    readonly startTime: number,
    readonly tags: Record<string, TagValue>,
    startHr: number = performance.now(),
  ) {
    this.startHr = startHr;
  }

  get localApp(): string {
    return this.sink.appName;
  }

  context(): SpanContext {
    return this.ctx;
  }

  setTag(key: string, value: TagValue): this {
    if (typeof key === 'string' && value !== undefined && value !== null) this.tags[key] = value;
    return this;
  }

  setTags(tags: Record<string, TagValue>): this {
    if (tags) for (const k of Object.keys(tags)) this.setTag(k, tags[k] as TagValue);
    return this;
  }

  log(fields: Record<string, TagValue>, time: number = Date.now()): this {
    if (!fields || typeof fields !== 'object') return this;
    const record: SpanLogRecord = { time, fields: { ...fields } };
    this.logs = this.logs === EMPTY_LOGS ? [record] : [...this.logs, record];
    return this;
  }

  setBaggageItem(key: string, value: string): this {
    if (typeof key === 'string' && typeof value === 'string') this.sink.addBizBaggage(this, key, value);
    return this;
  }

  getBaggageItem(key: string): string | undefined {
    return this.ctx.bizBaggageSize ? this.ctx.bizBaggage.get(key) : undefined;
  }

  setOperationName(name: string): this {
    if (typeof name === 'string') this.operationName = name;
    return this;
  }

  setError(error: unknown): this {
    this.error = error;
    if (this.tags.error === undefined && error !== undefined && error !== null)
      this.tags.error = errorMessage(error);
    return this;
  }

  setResultCode(code: string | number): this {
    this.resultCode = String(code);
    return this;
  }

  finish(endTime?: number): void {
    if (this.finished) return;
    this.finished = true;
    const elapsed = performance.now() - this.startHr;
    if (typeof endTime === 'number' && Number.isFinite(endTime)) {
      this.endTime = endTime;
      this.durationMs = Math.max(0, endTime - this.startTime);
    } else {
      this.durationMs = elapsed;
      this.endTime = this.startTime + Math.round(elapsed);
    }
    this.sink.reportSpan(this);
  }
}

/** The text an error leaves in the digest `error` field: its message, or its string form. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return String(error);
  } catch {
    return 'error';
  }
}
