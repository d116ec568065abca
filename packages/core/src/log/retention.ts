import * as path from 'node:path';
import { io } from './io-thread';
import type { SelfLog } from './self-log';
import { rolledSuffixEnd } from './rolling';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const ACCEPTED =
  'a number of days ("7", 7), "<N>D" ("1D"), "<N>D<M>H" ("2D12H", Java\'s NDMH form), ' +
  'or the Node extensions "<M>H" ("12H") and "<K>M" minutes ("30M", "1D6H30M")';

// Java (TracerUtils.parseLogReserveConfig) accepts "N", "ND" and "NDMH" (N days, M hours).
// Hours alone and minutes are additions here: Java would throw on "12H" and silently ignore "30M".
const DURATION = /^(?:(\d+)D)?(?:(\d+)H)?(?:(\d+)M)?$/i;

/**
 * Parses a retention setting (Java `tracer_global_log_reserve_day`) into milliseconds.
 * Accepts a non-negative integer number of days (`7`, `"7"`), `"1D"`, `"2D12H"` and, beyond
 * Java, `"12H"` and minute forms such as `"30M"`. `0` keeps every rolled file.
 * @throws Error naming the value and the accepted forms when it is none of them.
 */
export function parseRetention(value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return value * DAY_MS;
    throw invalid(value);
  }
  if (typeof value !== 'string') throw invalid(value);
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * DAY_MS;
  const m = DURATION.exec(text);
  if (text === '' || m === null) throw invalid(value);
  const days = Number(m[1] ?? 0);
  const hours = Number(m[2] ?? 0);
  const minutes = Number(m[3] ?? 0);
  return days * DAY_MS + hours * HOUR_MS + minutes * MINUTE_MS;
}

function invalid(value: unknown): Error {
  return new Error(`Invalid log retention ${JSON.stringify(value)}: expected ${ACCEPTED}`);
}

/**
 * Deletes the rolled files of one log (`<base>.<yyyy-MM-dd[_HH]>[.N]` next to it) whose newest
 * possible line is older than `retentionMs` before `nowMs`. The age comes from the suffix, or from
 * the mtime when the suffix names an impossible date. Never touches the active file or files of
 * other logs. Resolves to the number of files deleted; never rejects. The file system calls run on
 * the log I/O thread, never on libuv's threadpool.
 */
export async function deleteExpiredRolledFiles(
  activeFile: string,
  retentionMs: number,
  nowMs: number,
  selfLog: SelfLog,
): Promise<number> {
  if (!(retentionMs > 0)) return 0;
  const dir = path.dirname(activeFile);
  const base = path.basename(activeFile);
  const cutoff = nowMs - retentionMs;
  const owner = {};
  let names: string[];
  try {
    names = await io(owner, 'readdir', dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      selfLog.error(`Failed to list log files in ${dir}`, e);
    return 0;
  }
  let deleted = 0;
  for (const name of names) {
    if (name.length <= base.length || !name.startsWith(base)) continue;
    let end = rolledSuffixEnd(name.slice(base.length));
    if (end === undefined) continue;
    const full = path.join(dir, name);
    try {
      if (Number.isNaN(end)) end = (await io(owner, 'stat', full)).mtimeMs;
      if (end > cutoff) continue;
      await io(owner, 'unlink', full);
      deleted++;
      selfLog.info('Deleted log file: ' + name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        selfLog.error('Fail to delete log file: ' + name, e);
    }
  }
  return deleted;
}
