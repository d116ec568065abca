import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { SelfLog } from './self-log';

/** Name of the static information file in the log root (as Java). */
export const STATIC_INFO_FILE = 'static-info.log';

/** What `static-info.log` records about this process besides its pid and time zone. */
export interface StaticInfo {
  /** This host's IP address. */
  readonly ip: string;
  /** Deployment zone (Java `com.alipay.ldc.zone`); may be empty. */
  readonly zone: string;
  /** Where a failure to write is reported (the promise itself never rejects). */
  readonly selfLog?: SelfLog;
}

/**
 * Appends one line `pid,ip,zone,timezone` to `<root>/static-info.log` (timezone is the IANA id,
 * e.g. `Asia/Shanghai`), as Java does at start; one line per process start. Never rejects.
 */
export async function writeStaticInfo(root: string, info: StaticInfo): Promise<void> {
  const line = `${process.pid},${info.ip},${info.zone},${timeZoneId()}\n`;
  try {
    await fs.mkdir(root, { recursive: true });
    await fs.appendFile(path.join(root, STATIC_INFO_FILE), line);
  } catch (e) {
    info.selfLog?.error(`Failed to write ${STATIC_INFO_FILE}`, e);
  }
}

/** IANA id of the process's time zone, `UTC` when Intl cannot tell. */
export function timeZoneId(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}
