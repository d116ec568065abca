import { RateLimiter, errorText, writeStderr } from './rate-limiter';
import type { SelfLog } from './self-log';
import { formatLogTime } from './time-format';

/**
 * A self-log that prints to stderr, at most one line per interval (the count of suppressed lines
 * is appended to the next one). Used where the file self-log itself cannot be used: as the
 * self-log of `tracer-self.log`'s own writer, so its failures never recurse into itself.
 */
export class StderrSelfLog implements SelfLog {
  private readonly limiter: RateLimiter;

  /** @param intervalMs minimum time between two printed lines (default 10 s). */
  constructor(intervalMs = 10_000) {
    this.limiter = new RateLimiter(intervalMs);
  }

  info(message: string): void {
    this.print('[INFO]  ', message);
  }

  warn(message: string): void {
    this.print('[WARN]  ', message);
  }

  error(message: string, error?: unknown): void {
    this.print('[ERROR] ', error === undefined ? message : message + ': ' + errorText(error));
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private print(level: string, message: string): void {
    const held = this.limiter.take();
    if (held < 0) return;
    const suffix = held > 0 ? ` (${held} more tracer-self messages suppressed)` : '';
    writeStderr(formatLogTime(Date.now()) + level + message + suffix);
  }
}
