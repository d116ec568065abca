import * as prom from 'prom-client';
import type { LookoutLogger } from '../api/types';
import type { TracerLike } from '../config';

/** Lines per log file and outcome (`written`, `dropped`, `failed`), a counter. */
export const LOG_LINES_METRIC = 'sofa_tracer_log_lines_total';
/** Lines waiting in each log file's queue now, a gauge. */
export const LOG_QUEUE_METRIC = 'sofa_tracer_log_queue_lines';

type Stats = { written: number; dropped: number; failed: number; queued: number };
type SelfLogWithStats = { stats?: Stats };

const OUTCOMES = ['written', 'dropped', 'failed'] as const;

/** Current counters: the tracer's files plus `tracer-self.log` when its self-log has counters. */
function snapshot(tracer: TracerLike): [string, Stats][] {
  const out: [string, Stats][] = Object.entries(tracer.fileStats?.() ?? {});
  const self = (tracer.selfLog as SelfLogWithStats | undefined)?.stats;
  if (self !== undefined && typeof self.written === 'number') out.push(['tracer-self.log', self]);
  return out;
}

/**
 * Exposes the tracer's log writers' counters, read at scrape time (nothing on the span path):
 * `sofa_tracer_log_lines_total{file,outcome}` and `sofa_tracer_log_queue_lines{file}`. An
 * operator sees drops and write failures on `/metrics` even when the disk that holds
 * `tracer-self.log` is the one failing. `file` is the name under the tracelog root
 * (`express-digest.log`, `shadow/express-digest.log`, `tracer-self.log`): bounded by the plugins.
 */
export function registerLogFileMetrics(
  registry: prom.Registry,
  tracer: TracerLike,
  logger: LookoutLogger,
): void {
  if (typeof tracer.fileStats !== 'function') return;
  if (registry.getSingleMetric(LOG_LINES_METRIC)) return;
  const read = (): [string, Stats][] => {
    try {
      return snapshot(tracer);
    } catch (err) {
      logger.warn('Lookout log-file metrics: ' + (err instanceof Error ? err.message : String(err)));
      return [];
    }
  };
  new prom.Counter({
    name: LOG_LINES_METRIC,
    help: 'Lines per tracer log file: written (handed to the OS), dropped (queue full or after close), failed (open/write errors)',
    labelNames: ['file', 'outcome'],
    registers: [registry],
    collect() {
      // The writers' counters are monotonic: the series mirror them.
      this.reset();
      for (const [file, s] of read()) for (const o of OUTCOMES) this.inc({ file, outcome: o }, s[o]);
    },
  });
  new prom.Gauge({
    name: LOG_QUEUE_METRIC,
    help: 'Lines waiting in the queue of each tracer log file',
    labelNames: ['file'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [file, s] of read()) this.set({ file }, s.queued);
    },
  });
}
