import { traceFunction, type Span, type StartSpanOptions, type Tracer } from '@sofa-tracer/core';

/**
 * The tracer for Nest code, injected anywhere once `SofaTracerModule` is imported:
 * `constructor(private readonly tracer: TracerService) {}`.
 */
export class TracerService {
  /** @internal created by SofaTracerModule. */
  constructor(
    /** The underlying tracer (`inject`/`extract`, listeners, `flush`). */
    readonly tracer: Tracer,
  ) {}

  /** The span of the current request or business call, if any. */
  activeSpan(): Span | undefined {
    return this.tracer.activeSpan();
  }

  /** Trace id of the current span (for logs and error pages); `undefined` outside a trace. */
  get traceId(): string | undefined {
    return this.tracer.activeSpan()?.context().traceId;
  }

  /** Span id of the current span (`0.1.1`); `undefined` outside a trace. */
  get spanId(): string | undefined {
    return this.tracer.activeSpan()?.context().spanId;
  }

  /**
   * Starts a span (default: a `biz` span, child of the current one); the caller finishes it and
   * sets its result code. A `biz` span gets the tag `method` = `name` unless given, like
   * {@link trace}, so its `biz-digest.log` line names it. It is not made current: prefer
   * {@link trace}, which also makes it current and records errors.
   */
  startSpan(name: string, options: StartSpanOptions = {}): Span {
    // biz-digest.log's only naming field is the `method` tag; without it the line is anonymous
    if ((options.logType ?? 'biz') !== 'biz' || options.tags?.method !== undefined)
      return this.tracer.startSpan(name, options);
    return this.tracer.startSpan(name, { ...options, tags: { method: name, ...options.tags } });
  }

  /**
   * Runs `fn` in a business span named `name` (biz-digest.log), current while it runs; result
   * `00`, or `99` with the error when it throws or rejects (the error is re-thrown unchanged).
   */
  trace<T>(name: string, fn: (span: Span) => T): T {
    return traceFunction(name, fn, { tracer: this.tracer });
  }

  /**
   * Nest lifecycle hook: `app.close()` resolves once every span finished so far is on disk. The
   * tracer is flushed, not closed — it may serve other apps or code after this one.
   */
  onApplicationShutdown(): Promise<void> {
    return this.tracer.flush();
  }
}
