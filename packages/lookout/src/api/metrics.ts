import type { Id } from './id';
import type {
  Counter,
  DistributionSummary,
  Gauge,
  GaugeSupplier,
  Info,
  MetricKind,
  TimeUnit,
  Timer,
} from './types';

/** Gateway measurements of one metric for one step: `{count: 3, rate: 0.1}`. */
export type StepValues = Record<string, number>;

/**
 * Implementation side of every Lookout metric: what exporters read. `drain` returns the
 * gateway measurements since the previous drain (null when nothing happened in the step).
 */
export interface MetricImpl {
  readonly id: Id;
  readonly kind: MetricKind;
  readonly noop: boolean;
  drain(stepSeconds: number): StepValues | Record<string, unknown> | null;
}

const UNIT_TO_SECONDS: Record<TimeUnit, number> = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1 };

/** Sorted, de-duplicated, finite bucket bounds. */
export function normalizeBuckets(buckets: readonly number[]): Float64Array {
  const uniq = [...new Set(buckets.filter((b) => Number.isFinite(b)))].sort((a, b) => a - b);
  return Float64Array.from(uniq);
}

/** {@link Counter} implementation. */
export class CounterImpl implements Counter, MetricImpl {
  readonly kind = 'counter' as const;
  readonly noop = false;
  /** Cumulative total. */
  total = 0;
  private reported = 0;

  constructor(readonly id: Id) {}

  inc(n = 1): void {
    if (typeof n === 'number' && Number.isFinite(n)) this.total += n;
  }

  dec(n = 1): void {
    if (typeof n === 'number' && Number.isFinite(n)) this.total -= n;
  }

  count(): number {
    return this.total;
  }

  drain(stepSeconds: number): StepValues | null {
    const delta = this.total - this.reported;
    this.reported = this.total;
    return delta === 0 ? null : { count: delta, rate: delta / stepSeconds };
  }
}

/**
 * Shared store of timers and summaries: per-bucket counts, sum, count, a rolling max for
 * Prometheus and a per-step max for the gateway. `observe` allocates nothing.
 */
export class HistogramStore {
  /** Non-cumulative counts; the last slot is above the highest bound. */
  readonly counts: Float64Array;
  count = 0;
  sum = 0;
  private maxCur = 0;
  private maxPrev = 0;
  private rotatedAt = Date.now();
  private stepMax = 0;
  private reportedCount = 0;
  private reportedSum = 0;

  constructor(
    readonly bounds: Float64Array,
    private readonly maxWindowMs: number,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(v: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]) i++;
    this.counts[i]++;
    this.count++;
    this.sum += v;
    if (v > this.maxCur) this.maxCur = v;
    if (v > this.stepMax) this.stepMax = v;
  }

  /**
   * Largest value over the current and previous window. The window rotates when read, so
   * recording never reads the clock.
   */
  max(): number {
    const now = Date.now();
    if (now - this.rotatedAt >= this.maxWindowMs) {
      this.maxPrev = this.maxCur;
      this.maxCur = 0;
      this.rotatedAt = now;
    }
    return this.maxCur > this.maxPrev ? this.maxCur : this.maxPrev;
  }

  /** Count, sum and max since the previous drain; null when nothing was recorded. */
  drain(): { count: number; sum: number; max: number } | null {
    const count = this.count - this.reportedCount;
    const sum = this.sum - this.reportedSum;
    const max = this.stepMax;
    this.reportedCount = this.count;
    this.reportedSum = this.sum;
    this.stepMax = 0;
    return count === 0 ? null : { count, sum, max };
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null &&
    (typeof v === 'object' || typeof v === 'function') &&
    typeof (v as { then?: unknown }).then === 'function'
  );
}

/** {@link Timer} implementation (seconds). */
export class TimerImpl implements Timer, MetricImpl {
  readonly kind = 'timer' as const;
  readonly noop = false;

  constructor(
    readonly id: Id,
    readonly store: HistogramStore,
  ) {}

  record(amount: number, unit?: TimeUnit): void;
  record<T>(fn: () => T): T;
  record<T>(amountOrFn: number | (() => T), unit: TimeUnit = 'ms'): T | void {
    if (typeof amountOrFn === 'function') {
      const start = performance.now();
      let result: T;
      try {
        result = amountOrFn();
      } catch (err) {
        // Failed work took time too (Java records in a finally); the error propagates unchanged.
        this.recordSeconds((performance.now() - start) / 1000);
        throw err;
      }
      if (isThenable(result)) {
        const done = (): void => this.recordSeconds((performance.now() - start) / 1000);
        result.then(done, done);
      } else {
        this.recordSeconds((performance.now() - start) / 1000);
      }
      return result;
    }
    const factor = UNIT_TO_SECONDS[unit] ?? 1e-3;
    const seconds = amountOrFn * factor;
    if (seconds > 0 && Number.isFinite(seconds)) this.store.observe(seconds);
  }

  /** Records seconds, keeping 0 (spans measured at 0 ms still count as requests). */
  recordSeconds(seconds: number): void {
    if (seconds >= 0 && Number.isFinite(seconds)) this.store.observe(seconds);
  }

  count(): number {
    return this.store.count;
  }

  totalTime(): number {
    return this.store.sum;
  }

  max(): number {
    return this.store.max();
  }

  drain(stepSeconds: number): StepValues | null {
    const d = this.store.drain();
    if (!d) return null;
    return {
      count: d.count,
      rate: d.count / stepSeconds,
      totalTime: d.sum,
      elapPerExec: d.sum / d.count,
      max: d.max,
    };
  }
}

/** {@link DistributionSummary} implementation. */
export class SummaryImpl implements DistributionSummary, MetricImpl {
  readonly kind = 'distributionSummary' as const;
  readonly noop = false;

  constructor(
    readonly id: Id,
    readonly store: HistogramStore,
  ) {}

  record(amount: number): void {
    if (amount > 0 && Number.isFinite(amount)) this.store.observe(amount);
  }

  count(): number {
    return this.store.count;
  }

  totalAmount(): number {
    return this.store.sum;
  }

  max(): number {
    return this.store.max();
  }

  drain(stepSeconds: number): StepValues | null {
    const d = this.store.drain();
    if (!d) return null;
    return { count: d.count, rate: d.count / stepSeconds, totalAmount: d.sum, max: d.max };
  }
}

/** {@link Gauge} implementation. */
export class GaugeImpl implements Gauge, MetricImpl {
  readonly kind = 'gauge' as const;
  readonly noop = false;

  constructor(
    readonly id: Id,
    private readonly supplier: GaugeSupplier,
  ) {}

  value(): number {
    try {
      const v = typeof this.supplier === 'function' ? this.supplier() : this.supplier.value();
      return typeof v === 'number' ? v : Number.NaN;
    } catch {
      return Number.NaN;
    }
  }

  drain(): StepValues | null {
    const v = this.value();
    return Number.isFinite(v) ? { value: v } : null;
  }
}

/** {@link Info} implementation. */
export class InfoImpl implements Info, MetricImpl {
  readonly kind = 'info' as const;
  readonly noop = false;

  constructor(
    readonly id: Id,
    private readonly supplier: () => Readonly<Record<string, string | number | boolean>>,
  ) {}

  value(): Readonly<Record<string, string | number | boolean>> {
    try {
      const v = this.supplier();
      return v && typeof v === 'object' ? v : {};
    } catch {
      return {};
    }
  }

  drain(): Record<string, unknown> {
    return { ...this.value() };
  }
}
