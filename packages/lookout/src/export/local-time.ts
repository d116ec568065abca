import { formatDate } from '@sofa-tracer/core';

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** `2018-11-29T15:57:00+08:00`: ISO-8601 local time with offset, seconds precision (Lookout record `time`). */
export function formatRecordTime(epochMs: number): string {
  const d = new Date(epochMs);
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return (
    formatDate(epochMs) +
    'T' +
    pad2(d.getHours()) +
    ':' +
    pad2(d.getMinutes()) +
    ':' +
    pad2(d.getSeconds()) +
    sign +
    pad2(Math.floor(abs / 60)) +
    ':' +
    pad2(abs % 60)
  );
}
