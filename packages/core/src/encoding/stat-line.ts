import { formatLogTime } from '../log/time-format';
import { jsonString, legacyValue } from './json-string';

/** One aggregated stat row, as printed at the end of an interval. */
export interface StatRow {
  /** Key field names, `local.app` first, in the log type's order. */
  readonly keyFields: readonly string[];
  /** Key values, aligned with `keyFields`. */
  readonly keyValues: readonly string[];
  readonly count: number;
  /** Sum of `time.cost` in ms. */
  readonly totalCostMs: number;
  readonly success: boolean;
  readonly loadTest: boolean;
}

/** Java's JSON stat line: `{"time":…,"stat.key":{…},"count":N,"total.cost.milliseconds":N,"success":"Y","load.test":"F"}`. */
export function encodeStatJson(time: number, row: StatRow): string {
  let key = '';
  for (let i = 0; i < row.keyFields.length; i++) {
    key += (i ? ',' : '') + jsonString(row.keyFields[i]!) + ':' + jsonString(row.keyValues[i]!);
  }
  return (
    '{"time":"' +
    formatLogTime(time) +
    '","stat.key":{' +
    key +
    '},"count":' +
    row.count +
    ',"total.cost.milliseconds":' +
    row.totalCostMs +
    ',"success":"' +
    (row.success ? 'Y' : 'N') +
    '","load.test":"' +
    (row.loadTest ? 'T' : 'F') +
    '"}'
  );
}

/** Java's legacy stat line: `time,<key parts>,count,totalCost,Y|N,T|F`. */
export function encodeStatLegacy(time: number, row: StatRow): string {
  let line = formatLogTime(time);
  for (const v of row.keyValues) line += ',' + legacyValue(v);
  return (
    line +
    ',' +
    row.count +
    ',' +
    row.totalCostMs +
    ',' +
    (row.success ? 'Y' : 'N') +
    ',' +
    (row.loadTest ? 'T' : 'F')
  );
}
