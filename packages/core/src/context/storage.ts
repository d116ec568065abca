import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span } from '../tracer/types';

/**
 * The one AsyncLocalStorage of the process. Shared by every tracer instance so that a span made
 * current by one plugin is seen by all others (and by app-log integrations).
 */
export const spanStorage: AsyncLocalStorage<Span | undefined> = new AsyncLocalStorage<Span | undefined>();

/** The span active in the current async context. */
export function currentSpan(): Span | undefined {
  return spanStorage.getStore();
}

/** Runs `fn` with `span` current (across await, timers, promises and emitter callbacks created inside). */
export function runWithSpan<T>(span: Span | undefined, fn: () => T): T {
  return spanStorage.run(span, fn);
}
