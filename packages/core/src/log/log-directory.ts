import * as path from 'node:path';
import { AsyncLogWriter } from './async-writer';
import type { LogWriter, LogWriterStats, RollingPolicy } from './log-writer';
import type { SelfLog } from './self-log';

/** Settings shared by the writers of one tracelog root; per-file overrides by file name. */
export interface LogDirectoryOptions {
  /** The tracelog root, e.g. `~/logs/tracelog`. Created asynchronously on first write. */
  readonly root: string;
  readonly rolling: RollingPolicy;
  /** Rolling policy per file name (e.g. `{ 'express-digest.log': 'hourly' }`). */
  readonly rollingOverrides?: Readonly<Record<string, RollingPolicy>>;
  /** Rolled files older than this are deleted (ms); 0 keeps everything. */
  readonly retentionMs: number;
  /** Retention (ms) per file name. */
  readonly retentionOverrides?: Readonly<Record<string, number>>;
  /** Queue capacity of each writer, in lines. */
  readonly capacity: number;
  readonly lineSeparator: string;
  /** Report drops every this many (Java `discard_out_threshold`); 0 never. */
  readonly discardReportThreshold: number;
  /** Also self-log each dropped line's trace id/span id (bounded). */
  readonly logDiscardedIds: boolean;
  readonly selfLog: SelfLog;
  /** Injectable clock (epoch ms). */
  readonly now?: () => number;
}

/** Directory (under the root) of load-test (`mark=T`) logs. */
export const SHADOW_DIR = 'shadow';

/**
 * Owns the log writers of one tracelog root: one lazily created {@link AsyncLogWriter} per file,
 * plus a twin under `<root>/shadow/` for load-test traffic.
 */
export class LogDirectory {
  private readonly writers = new Map<string, AsyncLogWriter>();
  private closed = false;

  /** @param options root, rolling, retention and queue settings. */
  constructor(private readonly options: LogDirectoryOptions) {}

  /** The tracelog root directory. */
  get root(): string {
    return this.options.root;
  }

  /**
   * The writer of `<root>/<fileName>` (or `<root>/shadow/<fileName>` when `shadow`), created on
   * first use and cached. After `close()` a closed writer is returned (appends are counted, ignored).
   */
  writer(fileName: string, shadow = false): LogWriter {
    const key = shadow ? SHADOW_DIR + '/' + fileName : fileName;
    let w = this.writers.get(key);
    if (w === undefined) {
      const o = this.options;
      w = new AsyncLogWriter({
        file: shadow ? path.join(o.root, SHADOW_DIR, fileName) : path.join(o.root, fileName),
        name: key,
        rolling: o.rollingOverrides?.[fileName] ?? o.rolling,
        retentionMs: o.retentionOverrides?.[fileName] ?? o.retentionMs,
        capacity: o.capacity,
        lineSeparator: o.lineSeparator,
        discardReportThreshold: o.discardReportThreshold,
        logDiscardedIds: o.logDiscardedIds,
        selfLog: o.selfLog,
        now: o.now,
      });
      if (this.closed) void w.close();
      this.writers.set(key, w);
    }
    return w;
  }

  /** Resolves once every line appended to any writer before the call is written or counted failed. */
  async flush(): Promise<void> {
    await Promise.all(Array.from(this.writers.values(), (w) => w.flush()));
  }

  /** Flushes and closes every writer. Idempotent. Does not close the self-log (not owned here). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(Array.from(this.writers.values(), (w) => w.close()));
  }

  /** Counters per file, keyed `fileName` or `shadow/fileName`. */
  stats(): Record<string, LogWriterStats> {
    const out: Record<string, LogWriterStats> = {};
    for (const [key, w] of this.writers) out[key] = { ...w.stats };
    return out;
  }
}
