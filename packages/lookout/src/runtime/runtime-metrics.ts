import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import * as prom from 'prom-client';
import type { LookoutLogger } from '../api/types';

/** Name of the event-loop utilisation gauge. */
export const ELU_METRIC = 'nodejs_eventloop_utilization_ratio';

/**
 * Registers prom-client's default Node metrics (CPU, memory, heap spaces, GC, event-loop delay,
 * handles, version) and an event-loop utilisation gauge (share of time the loop was busy since
 * the previous scrape, 0–1) on `registry`. The common tags reach them through the registry's
 * default labels. A registry that already has them (the user called collectDefaultMetrics) only
 * logs a warning.
 */
export function registerRuntimeMetrics(registry: prom.Registry, logger: LookoutLogger): void {
  try {
    prom.collectDefaultMetrics({ register: registry });
  } catch (err) {
    logger.warn(
      'Lookout runtime metrics: prom-client default metrics not registered: ' +
        (err instanceof Error ? err.message : String(err)),
    );
  }
  if (registry.getSingleMetric(ELU_METRIC)) return;
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  new prom.Gauge({
    name: ELU_METRIC,
    help: 'Share of time the event loop was busy since the previous scrape (0-1)',
    registers: [registry],
    collect() {
      const now = performance.eventLoopUtilization();
      this.set(performance.eventLoopUtilization(now, last).utilization);
      last = now;
    },
  });
}
