import * as path from 'node:path';
import { AsyncLogWriter } from './async-writer';
import type { LogWriterStats } from './log-writer';
import { MessageAggregator } from './message-aggregator';
import { rollingPeriod } from './rolling';
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
  /** Messages of one kind written per window at most; the rest are counted (default 10). */
  readonly burst?: number;
  /** The aggregation window (default 60 000 ms). */
  readonly windowMs?: number;
  /** Bytes written per local day at most, by this process (default 10 MiB); 0 = no cap. */
  readonly maxBytesPerDay?: number;
}

const DEFAULT_RETENTION_MS = 7 * 24 * 3_600_000;
/** One message is cut to this many characters (a hostile 16 KB header value in a warning). */
export const MAX_SELF_LOG_MESSAGE_CHARS = 2000;
const DEFAULT_MAX_BYTES_PER_DAY = 10 * 1024 * 1024;

/**
 * `tracer-self.log` in Java's format: `<yyyy-MM-dd HH:mm:ss.SSS>[ERROR] msg`, `[WARN]  msg`,
 * `[INFO]  msg`, an error's stack on the following lines. Written through its own bounded async
 * writer, rolled daily; that writer reports its own troubles to stderr (rate-limited), never back
 * into this self-log.
 *
 * Nobody can fill the disk through it: at most `burst` messages of one kind per window (the rest
 * are counted and summarised), messages cut to 2000 characters and kept on one line, and at most
 * `maxBytesPerDay` bytes per day (then one notice, and a count of what was dropped).
 */
export class FileSelfLog implements SelfLog {
  private readonly writer: AsyncLogWriter;
  private readonly now: () => number;
  private readonly separator: string;
  private readonly aggregator: MessageAggregator;
  private readonly windowMs: number;
  private readonly maxBytesPerDay: number;
  private summaryTimer: NodeJS.Timeout | undefined;
  private dayEnd = 0;
  private bytesToday = 0;
  private capReached = false;
  private capDropped = 0;
  private suppressedTotal = 0;

  private readonly onSummaryTimer = (): void => {
    this.summaryTimer = undefined;
    this.writeSummaries();
  };

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
    this.windowMs = options.windowMs ?? 60_000;
    this.aggregator = new MessageAggregator(Math.max(1, options.burst ?? 10), this.windowMs);
    this.maxBytesPerDay = Math.max(0, options.maxBytesPerDay ?? DEFAULT_MAX_BYTES_PER_DAY);
  }

  /** Counters of the underlying writer. */
  get stats(): Readonly<LogWriterStats> {
    return this.writer.stats;
  }

  /** Messages not written: held back by the per-kind rate limit or by the daily size cap. */
  get suppressed(): number {
    return this.suppressedTotal;
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
    this.writeSummaries();
    return this.writer.flush();
  }

  close(): Promise<void> {
    if (this.summaryTimer !== undefined) clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    this.writeSummaries();
    return this.writer.close();
  }

  private write(level: string, message: string, error?: unknown): void {
    try {
      const text = oneLine(message);
      const held = this.aggregator.take(text);
      if (held < 0) {
        this.suppressedTotal++;
        if (this.summaryTimer === undefined) {
          this.summaryTimer = setTimeout(this.onSummaryTimer, this.windowMs);
          this.summaryTimer.unref();
        }
        return;
      }
      let entry = formatLogTime(this.now()) + level + text;
      if (held > 0) entry += ` (${held} similar messages suppressed)`;
      if (error !== undefined) entry += this.separator + describe(error);
      this.append(entry);
    } catch {
      // A self-log never throws into its caller (a hostile error object, a broken clock).
    }
  }

  /** Appends under the daily size cap. */
  private append(entry: string): void {
    if (this.maxBytesPerDay > 0) {
      const t = this.now();
      if (t >= this.dayEnd) {
        const dropped = this.capDropped;
        this.dayEnd = rollingPeriod(t, 'daily').end;
        this.bytesToday = 0;
        this.capReached = false;
        this.capDropped = 0;
        if (dropped > 0)
          this.append(
            formatLogTime(t) + `[WARN]  ${dropped} messages were dropped by the size cap before this day`,
          );
      }
      const bytes = entry.length + this.separator.length;
      if (this.capReached || this.bytesToday + bytes > this.maxBytesPerDay) {
        this.suppressedTotal++;
        this.capDropped++;
        if (!this.capReached) {
          this.capReached = true;
          this.writer.append(
            formatLogTime(t) +
              `[WARN]  ${SELF_LOG_FILE} reached its cap of ${this.maxBytesPerDay} bytes for today; ` +
              'further messages are dropped and counted until the next day',
          );
        }
        return;
      }
      this.bytesToday += bytes;
    }
    this.writer.append(entry);
  }

  private writeSummaries(): void {
    if (!this.aggregator.pending) return;
    const t = this.now();
    for (const summary of this.aggregator.drain()) this.append(formatLogTime(t) + '[WARN]  ' + summary);
  }
}

const LINE_BREAKING = /[\r\n\u0085\u2028\u2029]/g;

/** The message cut to {@link MAX_SELF_LOG_MESSAGE_CHARS}, with line breaks written as escapes. */
function oneLine(message: string): string {
  let text = String(message);
  if (text.length > MAX_SELF_LOG_MESSAGE_CHARS)
    text =
      text.slice(0, MAX_SELF_LOG_MESSAGE_CHARS) + `…(${text.length - MAX_SELF_LOG_MESSAGE_CHARS} more chars)`;
  return text.replace(LINE_BREAKING, (c) =>
    c === '\r' ? '\\r' : c === '\n' ? '\\n' : '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
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
