import type { ByteSink } from '../encoding/byte-sink';
import type { SelfLog } from './self-log';

/**
 * Writes one line (without terminator) into `sink`, from two arguments (a span and its log type):
 * a plain function, so queueing a line allocates no closure.
 */
export type LineEncoder<A, B> = (sink: ByteSink, a: A, b: B) => void;

/** How a log file rolls: daily (`.yyyy-MM-dd` suffix) or hourly (`.yyyy-MM-dd_HH`). */
export type RollingPolicy = 'daily' | 'hourly';

/** Counters of one writer; all monotonic. */
export interface LogWriterStats {
  /** Lines handed to the OS. */
  written: number;
  /** Lines dropped because the queue was full. */
  dropped: number;
  /** Lines lost because a write or open failed. */
  failed: number;
  /** Lines waiting in the queue now. */
  queued: number;
}

/** Settings of one log file writer. */
export interface LogWriterOptions {
  /** Absolute path of the active file; rolled files get the policy's suffix. */
  readonly file: string;
  readonly rolling: RollingPolicy;
  /** Rolled files older than this are deleted (ms); 0 keeps everything. */
  readonly retentionMs: number;
  /** Max lines waiting to be written; past it lines are dropped and counted. */
  readonly capacity: number;
  /** Line terminator appended to every line. */
  readonly lineSeparator: string;
  /** Report drops every this many (Java `discard_out_threshold`, 500). */
  readonly discardReportThreshold: number;
  /** Also self-log each dropped line's trace id/span id (Java `is_out_discard_id`). */
  readonly logDiscardedIds: boolean;
  /** Where drops and write errors are reported. */
  readonly selfLog: SelfLog;
  /** Injectable clock (epoch ms) for rolling tests. */
  readonly now?: () => number;
}

/** An append-only, bounded, asynchronous, rolling log file. */
export interface LogWriter {
  /**
   * Queues one line (without terminator). Returns false when the line was dropped.
   * Never throws, never does I/O on the caller's stack.
   * `traceId`/`spanId` name the line in drop reports when `logDiscardedIds` is on.
   */
  append(line: string, traceId?: string, spanId?: string): boolean;
  /**
   * Queues the line `encode(sink, a, b)` writes, encoded straight into the queue's buffer (no
   * string per line). Same result and guarantees as {@link append}; an encoder that throws
   * loses only its line (counted failed, reported), never the caller's request.
   */
  appendEncoded<A, B>(encode: LineEncoder<A, B>, a: A, b: B, traceId?: string, spanId?: string): boolean;
  /** Resolves once every line appended before the call is written (or counted as failed). */
  flush(): Promise<void>;
  /** Flushes, closes the file and stops timers; later appends are ignored. Idempotent. */
  close(): Promise<void>;
  readonly stats: Readonly<LogWriterStats>;
}
