import * as path from 'node:path';
import { abandonIo, io, IoError } from './io-thread';
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
  /**
   * Owner of the file operations (see {@link abandonIo}): a tracer passes an object of its own and
   * calls {@link settleStaticInfo} with it at `close()`, so an operation stuck in the kernel (a
   * hung mount) stops keeping the process alive. Default: one shared owner.
   */
  readonly owner?: object;
}

const SHARED_OWNER = {};

/**
 * Appends one line `pid,ip,zone,timezone` to `<root>/static-info.log` (timezone is the IANA id,
 * e.g. `Asia/Shanghai`), as Java does at start; one line per process start. Never rejects.
 *
 * Runs on the log I/O thread like the writers (never on libuv's threadpool) and opens the file
 * with `O_NONBLOCK`: a FIFO nobody reads fails with ENXIO (reported) instead of holding a thread,
 * a full pipe takes nothing and the line is reported lost (`EAGAIN`), never retried.
 */
export async function writeStaticInfo(root: string, info: StaticInfo): Promise<void> {
  const owner = info.owner ?? SHARED_OWNER;
  const line = `${process.pid},${info.ip},${info.zone},${timeZoneId()}\n`;
  let fd: number | undefined;
  try {
    await io(owner, 'mkdirp', root);
    fd = await io(owner, 'openAppend', path.join(root, STATIC_INFO_FILE));
    const data = Buffer.from(line);
    const r = await io(owner, 'write', fd, data, 0);
    if (r.error !== undefined) throw new IoError(r.error, r.bytesWritten);
    if (r.bytesWritten < data.length)
      throw new Error(`EAGAIN: the file took ${r.bytesWritten} of ${data.length} bytes`);
  } catch (e) {
    info.selfLog?.error(`Failed to write ${STATIC_INFO_FILE}`, e);
  } finally {
    if (fd !== undefined) await io(owner, 'close', fd).catch(() => undefined);
  }
}

/**
 * For a tracer's `close()`: waits until `written` (a {@link writeStaticInfo} of `owner`) has
 * settled, at most `timeoutMs`, then stops `owner`'s operations from keeping the process alive
 * (one stuck in the kernel, a hung mount, is abandoned). Never rejects.
 */
export function settleStaticInfo(written: Promise<void>, owner: object, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      abandonIo(owner);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    timer.unref();
    written.then(done, done);
  });
}

/** IANA id of the process's time zone, `UTC` when Intl cannot tell. */
export function timeZoneId(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}
