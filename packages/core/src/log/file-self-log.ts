import * as path from 'node:path';
import { AsyncLogWriter } from './async-writer';
import type { LogWriterStats } from './log-writer';
import type { SelfLog } from './self-log';
import { StderrSelfLog } from './stderr-self-log';
import { formatLogTime } from './time-format';

/** Name of the self-log file in the log root (as Java). */
export const SELF_LOG_FILE = 'tracer-self.log';

/** Settings of {@link FileSelfLog}. */
export interface FileSelfLogOptions {
  /** Log root; the file is `<root>/tracer-self.log`. */
  readonly root: string;
  /** Lines kept waiting at most (default 1024, Java's self-log ring size). */
  readonly capacity?: number;
  /** Line terminator (default `\n`). */
  readonly lineSeparator?: string;
  /** Rolled self-logs older than this are deleted (ms, default 7 days; 0 keeps all). */
  readonly retentionMs?: number;
  /** Injectable clock (epoch ms). */
  readonly now?: () => number;
}

const DEFAULT_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * `tracer-self.log` in Java's format: `<yyyy-MM-dd HH:mm:ss.SSS>[ERROR] msg`, `[WARN]  msg`,
 * `[INFO]  msg`, an error's stack on the following lines. Written through its own bounded async
 * writer, rolled daily; that writer reports its own troubles to stderr (rate-limited), never back
 * into this self-log.
 */
export class FileSelfLog implements SelfLog {
  private readonly writer: AsyncLogWriter;
  private readonly now: () => number;
  private readonly separator: string;

  /** @param options where and how to write. */
  constructor(options: FileSelfLogOptions) {
    this.now = options.now ?? Date.now;
    this.separator = options.lineSeparator ?? '\n';
    this.writer = new AsyncLogWriter({
      file: path.join(options.root, SELF_LOG_FILE),
      name: SELF_LOG_FILE,
      rolling: 'daily',
      retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
      capacity: options.capacity ?? 1024,
      lineSeparator: this.separator,
      discardReportThreshold: 1,
      logDiscardedIds: false,
      selfLog: new StderrSelfLog(),
      stderrWarnings: false,
      now: this.now,
    });
  }

  /** Counters of the underlying writer. */
  get stats(): Readonly<LogWriterStats> {
    return this.writer.stats;
  }

  info(message: string): void {
    this.write('[INFO]  ', message);
  }

  warn(message: string): void {
    this.write('[WARN]  ', message);
  }

  error(message: string, error?: unknown): void {
    this.write('[ERROR] ', message, error);
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }

  private write(level: string, message: string, error?: unknown): void {
    try {
      let entry = formatLogTime(this.now()) + level + message;
      if (error !== undefined) entry += this.separator + describe(error);
      this.writer.append(entry);
    } catch {
      // A self-log never throws into its caller (a hostile error object, a broken clock).
    }
  }
}

/** The stack of an Error (which starts with its message), else its string form. */
function describe(error: unknown): string {
  try {
    // Duck-typed: errors from another realm fail `instanceof Error`.
    const e = error as { stack?: unknown; name?: unknown; message?: unknown } | null;
    if (typeof e?.stack === 'string') return e.stack;
    if (typeof e?.message === 'string') return `${String(e.name)}: ${e.message}`;
    return String(error);
  } catch {
    return '[unprintable error]';
  }
}
