import type { Id } from './id';
import type { Counter, DistributionSummary, Gauge, Info, MixinMetric, Timer } from './types';

// Handed out past the max-metrics limit: every call is accepted and forgotten, nothing is exported.

/** A counter that records nothing. */
export function noopCounter(id: Id): Counter {
  return { id, kind: 'counter', noop: true, inc() {}, dec() {}, count: () => 0 };
}

/** A timer that records nothing (`record(fn)` still runs `fn`). */
export function noopTimer(id: Id): Timer {
  function record(amount: number): void;
  function record<T>(fn: () => T): T;
  function record<T>(a: number | (() => T)): T | void {
    return typeof a === 'function' ? a() : undefined;
  }
  return { id, kind: 'timer', noop: true, record, count: () => 0, totalTime: () => 0, max: () => 0 };
}

/** A distribution summary that records nothing. */
export function noopSummary(id: Id): DistributionSummary {
  return {
    id,
    kind: 'distributionSummary',
    noop: true,
    record() {},
    count: () => 0,
    totalAmount: () => 0,
    max: () => 0,
  };
}

/** A gauge that reads NaN. */
export function noopGauge(id: Id): Gauge {
  return { id, kind: 'gauge', noop: true, value: () => Number.NaN };
}

/** An info that holds nothing. */
export function noopInfo(id: Id): Info {
  return { id, kind: 'info', noop: true, value: () => ({}) };
}

/** A mixin whose components are no-ops. */
export function noopMixin(id: Id): MixinMetric {
  return {
    id,
    kind: 'mixin',
    noop: true,
    counter: () => noopCounter(id),
    timer: () => noopTimer(id),
    distributionSummary: () => noopSummary(id),
    gauge: () => noopGauge(id),
  };
}
