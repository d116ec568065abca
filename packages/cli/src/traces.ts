import type { DigestRecord } from './records';

/** One trace in the `traces` listing. */
export interface TraceSummary {
  readonly traceId: string;
  readonly spanCount: number;
  /** Distinct `local.app` values, sorted. */
  readonly apps: string[];
  /** Earliest and latest span end time seen (`yyyy-MM-dd HH:mm:ss.SSS`). */
  readonly firstTime: string;
  readonly lastTime: string;
  /** True when some span's result code is not a success (HTTP ≥ 400, `99`, …) or logged an error. */
  readonly hasError: boolean;
}

function failed(r: DigestRecord): boolean {
  if (typeof r.fields['error'] === 'string' && r.fields['error'] !== '') return true;
  const c = r.resultCode;
  if (c === '' || c === '00') return false;
  const n = Number(c);
  return Number.isFinite(n) ? n >= 400 || c === '99' || c === '03' : false;
}

/**
 * Groups digest records by trace id, most recent trace (by latest span end time) first.
 * @param limit at most this many traces (default: all).
 */
export function listTraces(records: readonly DigestRecord[], limit = Infinity): TraceSummary[] {
  const byId = new Map<string, { n: number; apps: Set<string>; first: string; last: string; err: boolean }>();
  for (const r of records) {
    let t = byId.get(r.traceId);
    if (t === undefined) {
      t = { n: 0, apps: new Set(), first: r.time, last: r.time, err: false };
      byId.set(r.traceId, t);
    }
    t.n++;
    t.apps.add(r.localApp);
    if (r.time < t.first) t.first = r.time;
    if (r.time > t.last) t.last = r.time;
    if (!t.err && failed(r)) t.err = true;
  }
  const out: TraceSummary[] = [];
  for (const [traceId, t] of byId) {
    out.push({
      traceId,
      spanCount: t.n,
      apps: [...t.apps].sort(),
      firstTime: t.first,
      lastTime: t.last,
      hasError: t.err,
    });
  }
  out.sort((a, b) =>
    a.lastTime < b.lastTime ? 1 : a.lastTime > b.lastTime ? -1 : a.traceId < b.traceId ? -1 : 1,
  );
  return out.slice(0, limit);
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '))
    .join('\n');
}

/** Renders the `traces` listing as a table (ends with a newline). */
export function renderTraces(traces: readonly TraceSummary[]): string {
  const rows = [['TRACE ID', 'SPANS', 'LAST SPAN END', 'ERR', 'SERVICES']];
  for (const t of traces)
    rows.push([t.traceId, String(t.spanCount), t.lastTime, t.hasError ? 'E' : '-', t.apps.join(',')]);
  return table(rows) + '\n';
}
