import type { TagValue } from '../span/readable-span';
import { getTracer } from '../tracer/global';
import type { Span, Tracer } from '../tracer/types';

/** Options of `traceFunction`. */
export interface TraceFunctionOptions {
  /** Extra tags. */
  tags?: Record<string, TagValue>;
  /** Tracer to use; default the global one. */
  tracer?: Tracer;
  /** Log type; default `biz` (biz-digest.log / biz-stat.log). */
  logType?: string;
}

/**
 * Traces one call of business code (Java's `@Tracer` "flexible" plugin): a span named `name`,
 * child of the active span, current while `fn` runs; result `00`, or `99` with the error
 * recorded when `fn` throws or its promise rejects (the error propagates unchanged).
 */
export function traceFunction<T>(name: string, fn: (span: Span) => T, options: TraceFunctionOptions = {}): T {
  const tracer = options.tracer ?? getTracer();
  const span = tracer.startSpan(name, {
    kind: 'internal',
    logType: options.logType ?? 'biz',
    tags: { method: name, ...options.tags },
  });
  let result: T;
  try {
    result = tracer.withSpan(span, () => fn(span));
  } catch (error) {
    span.setError(error).setResultCode('99').finish();
    throw error;
  }
  if (result && typeof (result as { then?: unknown }).then === 'function') {
    return (result as unknown as Promise<unknown>).then(
      (value) => {
        span.setResultCode('00').finish();
        return value;
      },
      (error: unknown) => {
        span.setError(error).setResultCode('99').finish();
        throw error;
      },
    ) as unknown as T;
  }
  span.setResultCode('00').finish();
  return result;
}

/** Wraps `fn` so every call is traced by `traceFunction` under `name` (default `fn.name`). */
export function traced<A extends unknown[], R>(
  fn: (...args: A) => R,
  name: string = fn.name || 'anonymous',
  options?: TraceFunctionOptions,
): (...args: A) => R {
  return function (this: unknown, ...args: A): R {
    return traceFunction(name, () => fn.apply(this, args), options);
  };
}
