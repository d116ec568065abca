/**
 * One digest line as the CLI sees it: the common SOFATracer fields lifted out, everything else
 * (plugin fields, baggage) kept in `fields` exactly as parsed.
 */
export interface DigestRecord {
  /** `time`: the span's end time as logged (`yyyy-MM-dd HH:mm:ss.SSS`, sorts lexicographically). */
  readonly time: string;
  /** `local.app`. */
  readonly localApp: string;
  readonly traceId: string;
  /** Dotted span id, e.g. `0.1.1`. */
  readonly spanId: string;
  /** `span.kind`: `server`, `client`, … */
  readonly kind: string;
  /** `result.code`, `""` when absent. */
  readonly resultCode: string;
  /** `time.cost.milliseconds` as logged, e.g. `"5ms"`. */
  readonly timeCost: string;
  /** The cost as a number of milliseconds (NaN when the logged value is not `<n>ms`). */
  readonly costMs: number;
  /** Log type taken from the file name: `express` for `express-digest.log[.2024-01-01]`. */
  readonly logType: string;
  /** Path of the file the line came from. */
  readonly file: string;
  /** Every field of the line, as parsed. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** One stat line: an aggregate of spans over one interval. */
export interface StatRecord {
  readonly time: string;
  /** Log type taken from the file name: `express` for `express-stat.log`. */
  readonly logType: string;
  /** `stat.key`: the key fields of the aggregate (`local.app`, route/url, method, …). */
  readonly key: Readonly<Record<string, unknown>>;
  readonly count: number;
  /** `total.cost.milliseconds`. */
  readonly totalCostMs: number;
  /** `success` flag: `Y` or `N`. */
  readonly success: string;
  /** `load.test` flag: `T` or `F`. */
  readonly loadTest: string;
  readonly file: string;
}

/** Reads a field as a string: numbers and booleans are stringified, anything else becomes `""`. */
export function str(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** Parses `"12ms"` (or a bare number) into milliseconds; NaN otherwise. */
export function parseCost(value: unknown): number {
  if (typeof value === 'number') return value;
  const s = str(value);
  const m = /^(-?\d+(?:\.\d+)?)\s*(?:ms)?$/.exec(s);
  return m ? Number(m[1]) : Number.NaN;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Turns one parsed JSON digest object into a record; null when it lacks a trace id or span id
 * (then it is not a digest line at all).
 */
export function toDigestRecord(obj: unknown, logType: string, file: string): DigestRecord | null {
  if (!isObject(obj)) return null;
  const traceId = str(obj['traceId']);
  const spanId = str(obj['spanId']);
  if (traceId === '' || spanId === '') return null;
  const timeCost = str(obj['time.cost.milliseconds']);
  return {
    time: str(obj['time']),
    localApp: str(obj['local.app']),
    traceId,
    spanId,
    kind: str(obj['span.kind']),
    resultCode: str(obj['result.code']),
    timeCost,
    costMs: parseCost(obj['time.cost.milliseconds']),
    logType,
    file,
    fields: obj,
  };
}

/** Turns one parsed JSON stat object into a record; null when it is not a stat line. */
export function toStatRecord(obj: unknown, logType: string, file: string): StatRecord | null {
  if (!isObject(obj)) return null;
  const key = obj['stat.key'];
  if (!isObject(key)) return null;
  const count = Number(obj['count']);
  const total = Number(obj['total.cost.milliseconds']);
  return {
    time: str(obj['time']),
    logType,
    key,
    count: Number.isFinite(count) ? count : 0,
    totalCostMs: Number.isFinite(total) ? total : 0,
    success: str(obj['success']),
    loadTest: str(obj['load.test']),
    file,
  };
}
