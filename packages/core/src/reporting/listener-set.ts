import type { SelfLog } from '../log/self-log';
import type { ReadableSpan } from '../span/readable-span';
import type { SpanListener } from './span-listener';

const REPORT_EVERY_MS = 10_000;

/**
 * Span listeners, copy-on-write so a listener may add/remove listeners while being called. A
 * throwing listener is isolated: the error is self-logged (at most once per 10 s per listener,
 * with a count), the span still reaches the others and the disk reporters.
 */
export class ListenerSet {
  private listeners: readonly SpanListener[] = [];
  private readonly failures = new WeakMap<SpanListener, { last: number; suppressed: number }>();

  constructor(private readonly selfLog: SelfLog) {}

  add(listener: SpanListener): void {
    if (!listener || typeof listener.onSpanReport !== 'function') {
      throw new TypeError('sofa-tracer: a span listener needs an onSpanReport(span) method');
    }
    if (!this.listeners.includes(listener)) this.listeners = [...this.listeners, listener];
  }

  remove(listener: SpanListener): void {
    this.listeners = this.listeners.filter((l) => l !== listener);
  }

  get size(): number {
    return this.listeners.length;
  }

  notify(span: ReadableSpan): void {
    const list = this.listeners;
    for (let i = 0; i < list.length; i++) {
      const l = list[i]!;
      try {
        l.onSpanReport(span);
      } catch (error) {
        this.reportFailure(l, error);
      }
    }
  }

  private reportFailure(listener: SpanListener, error: unknown): void {
    const now = Date.now();
    const f = this.failures.get(listener);
    if (f && now - f.last < REPORT_EVERY_MS) {
      f.suppressed++;
      return;
    }
    const suppressed = f ? f.suppressed : 0;
    this.failures.set(listener, { last: now, suppressed: 0 });
    const name =
      listener.constructor && listener.constructor !== Object ? listener.constructor.name : 'anonymous';
    this.selfLog.error(
      `span listener ${name} threw${suppressed ? ` (and ${suppressed} more times since the last report)` : ''}`,
      error,
    );
  }
}
