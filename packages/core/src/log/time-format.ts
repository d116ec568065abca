// Formatting a date is the costliest part of a digest line, so the `yyyy-MM-dd HH:mm:ss` prefix
// is computed once per second and only the milliseconds are appended per call.
let cachedSecond = -1;
let cachedPrefix = '';

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function pad3(n: number): string {
  return n < 10 ? '00' + n : n < 100 ? '0' + n : String(n);
}

/** `yyyy-MM-dd` of an epoch-ms time, local time zone. */
export function formatDate(epochMs: number): string {
  const d = new Date(epochMs);
  return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate());
}

/** `yyyy-MM-dd HH:mm:ss.SSS` of an epoch-ms time, local time zone (Java's digest/self-log time). */
export function formatLogTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    const d = new Date(second * 1000);
    cachedPrefix =
      formatDate(second * 1000) +
      ' ' +
      pad2(d.getHours()) +
      ':' +
      pad2(d.getMinutes()) +
      ':' +
      pad2(d.getSeconds()) +
      '.';
    cachedSecond = second;
  }
  return cachedPrefix + pad3(epochMs - second * 1000);
}

/** Rolling suffix of an epoch-ms time: `.yyyy-MM-dd` (daily) or `.yyyy-MM-dd_HH` (hourly). */
export function rollingSuffix(epochMs: number, hourly: boolean): string {
  const day = '.' + formatDate(epochMs);
  return hourly ? day + '_' + pad2(new Date(epochMs).getHours()) : day;
}
