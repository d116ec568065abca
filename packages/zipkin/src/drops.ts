import { RateLimiter, type SelfLog } from '@sofa-tracer/core';

/** Why spans were not delivered. Also the `reason` label of the Lookout drop metric. */
export type DropReason =
  /** The queue was at its span or byte bound when the span finished. */
  | 'queue_full'
  /** One span alone is larger than a message may be (`maxMessageBytes`, or the collector's 413 limit). */
  | 'too_large'
  /** The collector answered 4xx (other than 408/413/429): the spans cannot be delivered as they are. */
  | 'rejected'
  /** 5xx / 429 / timeout / connection errors on every try. */
  | 'send_failed'
  /** Still queued or in flight when the `close()` deadline passed, or reported after close. */
  | 'closed'
  /** The span could not be encoded (a throwing getter in a tag, …). */
  | 'encoding_error';

/** Every drop reason, in report order. */
export const DROP_REASONS: readonly DropReason[] = [
  'queue_full',
  'too_large',
  'rejected',
  'send_failed',
  'closed',
  'encoding_error',
];

/** Called for every drop: `count` spans for `reason`. */
export type DropListener = (count: number, reason: DropReason) => void;

/**
 * Counts dropped spans exactly (per reason, since start) and reports them to tracer-self.log at
 * most once per interval — one summary line, not one line per failed batch, so a collector that
 * stays down cannot flood the self-log.
 */
export class DropLedger {
  private readonly total: Record<DropReason, number> = zero();
  private pending: Record<DropReason, number> = zero();
  private pendingCount = 0;
  private lastError = '';
  private readonly limiter: RateLimiter;
  private listeners: readonly DropListener[] = [];

  constructor(
    private readonly selfLog: () => SelfLog,
    intervalMs: number,
  ) {
    this.limiter = new RateLimiter(intervalMs);
  }

  /** Counts `count` dropped spans; `error` is the collector's answer or the socket error, if any. */
  drop(count: number, reason: DropReason, error?: string): void {
    if (count <= 0) return;
    this.total[reason] += count;
    this.pending[reason] += count;
    this.pendingCount += count;
    if (error) this.lastError = error;
    for (const l of this.listeners) {
      try {
        l(count, reason);
      } catch {
        // a metrics hook failing must not stop the counting
      }
    }
  }

  /** An informational line in the self-log (not rate-limited: callers keep it rare). */
  info(message: string): void {
    try {
      this.selfLog().info(message);
    } catch {
      // the self-log never throws by contract; a custom one might
    }
  }

  /** Notes a failed attempt that did not (yet) drop anything. */
  noteError(error: string): void {
    this.lastError = error;
  }

  /** Adds a drop listener; returns its remover. */
  addListener(listener: DropListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Drops per reason since start. */
  totals(): Readonly<Record<DropReason, number>> {
    return { ...this.total };
  }

  /** Total drops since start. */
  get count(): number {
    let n = 0;
    for (const r of DROP_REASONS) n += this.total[r];
    return n;
  }

  /** Writes the summary of unreported drops if the rate limit allows (`force`: always). */
  report(force = false): void {
    if (this.pendingCount === 0) return;
    if (!force && this.limiter.take() < 0) return;
    const parts = DROP_REASONS.filter((r) => this.pending[r] > 0).map((r) => `${r}: ${this.pending[r]}`);
    const message =
      `zipkin: dropped ${this.pendingCount} spans since the last report (${parts.join(', ')}); ` +
      `${this.count} dropped in total` +
      (this.lastError ? `; last collector error: ${this.lastError}` : '');
    this.pending = zero();
    this.pendingCount = 0;
    try {
      this.selfLog().warn(message);
    } catch {
      // the self-log never throws by contract; a custom one might
    }
  }
}

function zero(): Record<DropReason, number> {
  return {
    queue_full: 0,
    too_large: 0,
    rejected: 0,
    send_failed: 0,
    closed: 0,
    encoding_error: 0,
  };
}
