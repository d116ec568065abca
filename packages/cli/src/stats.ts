import type { StatRecord } from './records';
import { str } from './records';
import { table } from './traces';

/** The stat lines of one key summed over every interval read. */
export interface StatSummary {
  readonly logType: string;
  /** `stat.key` fields, as logged. */
  readonly key: Readonly<Record<string, unknown>>;
  readonly success: string;
  readonly loadTest: string;
  /** Sum of `count`. */
  readonly count: number;
  /** Sum of `total.cost.milliseconds`. */
  readonly totalCostMs: number;
  /** `totalCostMs / count` (0 when count is 0). */
  readonly avgCostMs: number;
  /** Number of stat lines (intervals) summed. */
  readonly intervals: number;
  /** First and last interval time. */
  readonly firstTime: string;
  readonly lastTime: string;
}

// Key field order is the logger's; use it as written so the same key always groups together.
function keyString(r: StatRecord): string {
  const parts = Object.keys(r.key).map((k) => k + '=' + str(r.key[k]));
  return [r.logType, parts.join('\u0000'), r.success, r.loadTest].join('\u0001');
}

/**
 * Sums stat lines by (log type, stat key, success flag, load-test flag), largest count first.
 */
export function summarizeStats(records: readonly StatRecord[]): StatSummary[] {
  const acc = new Map<
    string,
    { r: StatRecord; count: number; total: number; n: number; first: string; last: string }
  >();
  for (const r of records) {
    const k = keyString(r);
    const a = acc.get(k);
    if (a === undefined) {
      acc.set(k, { r, count: r.count, total: r.totalCostMs, n: 1, first: r.time, last: r.time });
    } else {
      a.count += r.count;
      a.total += r.totalCostMs;
      a.n++;
      if (r.time < a.first) a.first = r.time;
      if (r.time > a.last) a.last = r.time;
    }
  }
  const out: StatSummary[] = [];
  for (const a of acc.values()) {
    out.push({
      logType: a.r.logType,
      key: a.r.key,
      success: a.r.success,
      loadTest: a.r.loadTest,
      count: a.count,
      totalCostMs: a.total,
      avgCostMs: a.count > 0 ? a.total / a.count : 0,
      intervals: a.n,
      firstTime: a.first,
      lastTime: a.last,
    });
  }
  out.sort((x, y) => y.count - x.count || (keyString0(x) < keyString0(y) ? -1 : 1));
  return out;
}

function keyString0(s: StatSummary): string {
  return s.logType + ' ' + Object.values(s.key).map(str).join(' ');
}

/** Renders stat summaries as a table (ends with a newline). */
export function renderStats(rows: readonly StatSummary[]): string {
  const t = [['TYPE', 'COUNT', 'AVG MS', 'OK', 'LOAD', 'KEY']];
  for (const s of rows) {
    const key = Object.keys(s.key)
      .map((k) => `${k}=${str(s.key[k])}`)
      .join(' ');
    t.push([s.logType, String(s.count), s.avgCostMs.toFixed(1), s.success || '-', s.loadTest || '-', key]);
  }
  return table(t) + '\n';
}
