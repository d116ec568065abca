import type { Priority } from '../api/id';
import type { MetricImpl } from '../api/metrics';
import type { Metric, MetricKind } from '../api/types';
import { formatRecordTime } from './local-time';

/** Lookout's `_type_` tag per kind. */
export const TYPE_CODES: Readonly<Record<MetricKind, string>> = {
  counter: 'c',
  timer: 't',
  distributionSummary: 'd',
  gauge: 'g',
  mixin: 'm',
  info: 'i',
};

/**
 * Builds the step's records of one priority: one JSON object per metric with activity,
 * `{"time":…,"tags":{common…, own…, "_type_":"c"},"<name>":{"count":1,"rate":0.03}}`.
 * Counters, timers and summaries with nothing in the step are skipped; gauges always report.
 */
export function buildRecords(
  metrics: Iterable<Metric & MetricImpl>,
  priority: Priority,
  stepMs: number,
  now: number,
  commonTags: Readonly<Record<string, string>>,
): string[] {
  const time = formatRecordTime(Math.floor(now / stepMs) * stepMs);
  const stepSeconds = stepMs / 1000;
  const out: string[] = [];
  for (const m of metrics) {
    if (m.noop || m.id.priority !== priority) continue;
    const values = m.drain(stepSeconds);
    if (values === null) continue;
    const tags: Record<string, string> = { ...commonTags };
    for (const [k, v] of m.id.tags) tags[k] = v;
    tags._type_ = TYPE_CODES[m.kind];
    out.push(JSON.stringify({ time, tags, [m.id.name]: values }));
  }
  return out;
}
