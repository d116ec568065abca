import type { RollingPolicy } from './log-writer';
import { rollingSuffix } from './time-format';

/** The local-time interval `[start, end)` (epoch ms) a log file belongs to under a rolling policy. */
export interface RollingPeriod {
  readonly start: number;
  readonly end: number;
}

const HOUR_MS = 3_600_000;

/** The rolling period containing `epochMs`: its local day (daily) or local hour (hourly). */
export function rollingPeriod(epochMs: number, policy: RollingPolicy): RollingPeriod {
  // Whole ms: an mtime has a fraction (`mtimeMs`), which would shift an hourly period's bounds
  // by it, so a line at exactly hh:00:00.000 would still count as the old hour.
  epochMs = Math.floor(epochMs);
  const d = new Date(epochMs);
  if (policy === 'hourly') {
    // Subtracting the local minutes keeps half-hour time zones and DST days right.
    const start = epochMs - (d.getMinutes() * 60_000 + d.getSeconds() * 1000 + d.getMilliseconds());
    return { start, end: start + HOUR_MS };
  }
  // Date arithmetic rather than `- 24h` because DST days are 23 or 25 hours long.
  const start = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const end = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
  return { start, end };
}

/** Name a rolled file gets: `<file>.yyyy-MM-dd` or `<file>.yyyy-MM-dd_HH` of the period it covers. */
export function rolledFileName(file: string, period: RollingPeriod, policy: RollingPolicy): string {
  return file + rollingSuffix(period.start, policy === 'hourly');
}

// `.yyyy-MM-dd`, `.yyyy-MM-dd_HH`, optionally `.N` when a rolled name was already taken.
const SUFFIX = /^\.(\d{4})-(\d{2})-(\d{2})(?:_(\d{2}))?(?:\.\d{1,4})?$/;

/**
 * Classifies a suffix (the part of a file name after the active file's name).
 * Returns `undefined` when it is not a rolled-file suffix at all, `NaN` when it looks like one but
 * names an impossible date (the caller then falls back to the file's mtime), else the end of the
 * covered period in epoch ms — the time of the newest line the file can hold.
 */
export function rolledSuffixEnd(suffix: string): number | undefined {
  const m = SUFFIX.exec(suffix);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]) - 1;
  const day = Number(m[3]);
  const hour = m[4] === undefined ? -1 : Number(m[4]);
  const probe = new Date(year, month, day, hour < 0 ? 0 : hour);
  if (probe.getMonth() !== month || probe.getDate() !== day || hour > 23) return NaN;
  return hour < 0 ? new Date(year, month, day + 1).getTime() : probe.getTime() + HOUR_MS;
}
