import type { Id } from './id';

/** The kinds of Lookout metric, as Java Lookout has them. */
export type MetricKind = 'counter' | 'timer' | 'distributionSummary' | 'gauge' | 'mixin' | 'info';

/** Units accepted by {@link Timer.record}. */
export type TimeUnit = 'ns' | 'us' | 'ms' | 's';

/** What every Lookout metric has. */
export interface Metric {
  readonly id: Id;
  readonly kind: MetricKind;
  /** True for the no-op metric handed out past the max-metrics limit. */
  readonly noop: boolean;
}

/**
 * A count. Exported to Prometheus as a counter `<name>_total` (cumulative), to the Lookout gateway
 * as `count` (delta in the step) and `rate` (count ÷ step seconds). `dec` exists for Lookout
 * compatibility; a decreasing total looks like a counter reset to Prometheus, so prefer a Gauge
 * for values that go down.
 */
export interface Counter extends Metric {
  readonly kind: 'counter';
  inc(n?: number): void;
  dec(n?: number): void;
  /** Cumulative total (incs − decs). */
  count(): number;
}

/**
 * Durations. Prometheus: histogram `<name>_seconds` (buckets in seconds) plus gauge
 * `<name>_seconds_max` (largest value over the last one or two steps). Gateway: `count`, `rate`,
 * `totalTime`, `elapPerExec`, `max` (seconds). Values ≤ 0 or not finite are dropped.
 */
export interface Timer extends Metric {
  readonly kind: 'timer';
  /** Records one duration; `unit` defaults to `ms`. */
  record(amount: number, unit?: TimeUnit): void;
  /** Times `fn` (sync, or until its promise settles) and returns what it returned. */
  record<T>(fn: () => T): T;
  count(): number;
  /** Cumulative seconds. */
  totalTime(): number;
  /** Largest duration (seconds) over the last step or two. */
  max(): number;
}

/**
 * Amounts (sizes, batch lengths). Prometheus: histogram `<name>` (buckets from options; none =
 * only `+Inf`) plus gauge `<name>_max`. Gateway: `count`, `rate`, `totalAmount`, `max`.
 */
export interface DistributionSummary extends Metric {
  readonly kind: 'distributionSummary';
  /** Records one amount; values ≤ 0 or not finite are dropped. */
  record(amount: number): void;
  count(): number;
  totalAmount(): number;
  max(): number;
}

/** A value sampled when exported (Prometheus gauge `<name>`, gateway `value`). */
export interface Gauge extends Metric {
  readonly kind: 'gauge';
  /** Current value (NaN if the supplier threw or returned a non-number). */
  value(): number;
}

/** Supplier of a {@link Gauge}: a function or an object with `value()`. */
export type GaugeSupplier = (() => number) | { value(): number };

/** A static description (versions, config). Prometheus: gauge `<name>_info` = 1 with the fields as labels. */
export interface Info extends Metric {
  readonly kind: 'info';
  value(): Readonly<Record<string, string | number | boolean>>;
}

/** Options of timers and distribution summaries. */
export interface HistogramOptions {
  /** Bucket upper bounds (seconds for timers); sorted and de-duplicated. */
  buckets?: readonly number[];
  /** HELP text of the Prometheus family (first registration wins). */
  description?: string;
}

/** Options of counters and gauges. */
export interface DescribeOptions {
  /** HELP text of the Prometheus family (first registration wins). */
  description?: string;
}

/**
 * Several named components under one Id (SOFARPC's `total_count`, `total_time`…). Prometheus: each
 * component is its own family `<name>_<component>` (+ kind suffix) with the mixin's tags. Gateway:
 * one record, keys `<component>.<measurement>`.
 */
export interface MixinMetric extends Metric {
  readonly kind: 'mixin';
  counter(component: string): Counter;
  timer(component: string, options?: HistogramOptions): Timer;
  distributionSummary(component: string, options?: HistogramOptions): DistributionSummary;
  gauge(component: string, supplier: GaugeSupplier): Gauge;
}

/** Where the registry reports its own troubles (max-metrics reached, bad config). */
export interface LookoutLogger {
  warn(message: string): void;
}
