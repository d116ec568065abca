import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DropReporter } from './drop-reporter';
import { ByteLineQueue } from './byte-line-queue';
import { abandonIo, giveUpForWrite, io, IoError, type IoStat } from './io-thread';
import type { LineEncoder, LogWriter, LogWriterOptions, LogWriterStats, RollingPolicy } from './log-writer';
import { RateLimiter, errorText, writeStderr } from './rate-limiter';
import { deleteExpiredRolledFiles } from './retention';
import { rolledFileName, rollingPeriod, type RollingPeriod } from './rolling';
import { rollShared } from './shared-roll';
import type { SelfLog } from './self-log';

/** First and longest wait before writing again into a full pipe (a FIFO whose reader is slow). */
const PIPE_RETRY_MIN_MS = 10;
const PIPE_RETRY_MAX_MS = 200;

/** Extra knobs of {@link AsyncLogWriter}; every one has a production default. */
export interface AsyncLogWriterOptions extends LogWriterOptions {
  /** Name used in self-log messages (default: the file path), e.g. `shadow/express-digest.log`. */
  readonly name?: string;
  /** Also print write/open failures to stderr (default true; off for tracer-self.log's own writer). */
  readonly stderrWarnings?: boolean;
  /** Minimum time between two failure warnings of this file (default 10 000 ms). */
  readonly warnIntervalMs?: number;
  /** How often, at most, the path is stat'ed to notice a deleted or replaced file (default 1000 ms). */
  readonly pathCheckIntervalMs?: number;
  /** First and maximum delay before retrying a failed open/write (defaults 100 ms and 5000 ms). */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  /** How long `close()` waits for queued lines before counting them failed (default 5000 ms). */
  readonly closeTimeoutMs?: number;
  /** How often rolled files past the retention are deleted, besides on each roll (default 1 h). */
  readonly cleanupIntervalMs?: number;
  /**
   * How long appended lines may wait before they are written (default 10 ms), unless
   * {@link drainLines} are queued first or `flush()`/`close()` asks for them; 0 = the next turn.
   */
  readonly drainDelayMs?: number;
  /** Lines queued that start a write at once (default: a quarter of the capacity, at most 1024). */
  readonly drainLines?: number;
}

interface FlushWaiter {
  readonly target: number;
  readonly resolve: () => void;
}

/**
 * A file that ends inside a line and was modified within this many ms is taken to be in the
 * middle of another process's write (a reader can see a large append half done), not torn: a
 * separator written then would land after that write completes and leave an empty line.
 */
const FOREIGN_WRITE_QUIET_MS = 2000;
const CLOSE_TIMED_OUT = Symbol('close timed out');

/**
 * A bounded, asynchronous, rolling log file (see docs/log-files.md).
 *
 * `append` (or `appendEncoded`, which encodes the line straight into the queue's bytes) only
 * stores the line in a bounded queue of byte chunks and, when no drain is pending, arms one
 * timer ({@link AsyncLogWriterOptions.drainDelayMs}, 10 ms); a queue that reaches
 * {@link AsyncLogWriterOptions.drainLines} or fills a chunk drains on the next `setImmediate`
 * instead. Each write is a round trip to the log I/O thread that costs the event loop tens of µs
 * whatever its size, so a busy server hands over one batch per 10 ms rather than one per
 * event-loop turn. The drain hands a chunk (up to 256 KiB of whole lines) to the thread without
 * a copy and gets it back for reuse; it is written with `fs.write` on a file descriptor kept
 * open. Only one write is ever in flight, so a stalled disk holds at most one batch plus
 * `capacity` queued lines. Failures are counted, reported
 * (rate-limited) and retried with back-off; the caller never sees them.
 */
export class AsyncLogWriter implements LogWriter {
  private readonly file: string;
  private readonly name: string;
  private readonly policy: RollingPolicy;
  private readonly retentionMs: number;
  private readonly separator: string;
  private readonly selfLog: SelfLog;
  private readonly now: () => number;
  private readonly stderrWarnings: boolean;
  private readonly pathCheckIntervalMs: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly closeTimeoutMs: number;
  private readonly cleanupIntervalMs: number;
  private readonly limiter: RateLimiter;

  private readonly queue: ByteLineQueue;
  private readonly drops: DropReporter;

  // Sequence numbers of accepted lines and of lines settled (written or failed), for flush().
  private appended = 0;
  private settled = 0;
  private waiters: FlushWaiter[] = [];

  private readonly counters: LogWriterStats = { written: 0, dropped: 0, failed: 0, queued: 0 };
  private writeCalls = 0;

  private fd = -1;
  private ino = 0;
  private dev = 0;
  private period: RollingPeriod = { start: 0, end: 0 };
  private nextPathCheck = 0;

  private scheduled = false;
  private drainTimer: NodeJS.Timeout | undefined;
  private readonly drainDelayMs: number;
  private readonly drainLines: number;
  private pumping = false;
  private pumpDone: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private failing = false;
  private readonly resumeLimiter: RateLimiter;
  private readonly lateLimiter: RateLimiter;
  private lateDrops = 0;
  /**
   * Set after a failed or short write and on opening a non-empty file: the file may end inside
   * a line, which must be cut (or ended) before the next line is written.
   */
  private checkTail = false;
  /** The bytes of a line cut short by the last failed write, and the file (ino/dev) they went to. */
  private fragment: Buffer | undefined;
  private fragmentIno = 0;
  private fragmentDev = 0;
  private openError: unknown;
  private cleanupTimer: NodeJS.Timeout | undefined;
  private cleaning: Promise<void> | undefined;
  private closed = false;
  /** Set when close() timed out: a write waiting on a full pipe gives up, I/O is abandoned. */
  private gaveUp = false;
  /** Ends the current wait for a full pipe early (close() giving up). */
  private wakePipeWait: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  /** Bound once so that scheduling a drain allocates nothing per line. */
  private readonly onImmediate = (): void => {
    this.scheduled = false;
    if (!this.pumping) this.pumpDone = this.pump();
  };

  private readonly onDrainTimer = (): void => {
    this.drainTimer = undefined;
    this.schedule();
  };

  private readonly onRetry = (): void => {
    this.retryTimer = undefined;
    if (this.queue.size > 0) this.schedule();
  };

  private readonly onCleanupTimer = (): void => {
    void this.cleanup();
  };

  /** @param options file, rolling, retention, capacity and reporting settings. */
  constructor(options: AsyncLogWriterOptions) {
    this.file = path.resolve(options.file);
    this.name = options.name ?? this.file;
    this.policy = options.rolling === 'hourly' ? 'hourly' : 'daily';
    this.retentionMs = Math.max(0, options.retentionMs || 0);
    this.separator = options.lineSeparator;
    this.selfLog = options.selfLog;
    this.now = options.now ?? Date.now;
    this.stderrWarnings = options.stderrWarnings !== false;
    this.pathCheckIntervalMs = options.pathCheckIntervalMs ?? 1000;
    this.retryMinMs = options.retryMinMs ?? 100;
    this.retryMaxMs = options.retryMaxMs ?? 5000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.cleanupIntervalMs = options.cleanupIntervalMs ?? 3_600_000;
    this.limiter = new RateLimiter(options.warnIntervalMs ?? 10_000);
    this.resumeLimiter = new RateLimiter(options.warnIntervalMs ?? 10_000);
    this.lateLimiter = new RateLimiter(options.warnIntervalMs ?? 10_000);
    this.retryDelay = this.retryMinMs;
    this.queue = new ByteLineQueue(
      Math.max(1, Math.floor(options.capacity) || 1),
      Buffer.from(this.separator, 'utf8'),
    );
    this.drainDelayMs = Math.max(0, options.drainDelayMs ?? 10);
    this.drainLines = Math.max(
      1,
      Math.floor(options.drainLines ?? Math.min(1024, this.queue.capacity / 4)) || 1,
    );
    this.drops = new DropReporter(
      this.name,
      this.selfLog,
      Math.floor(options.discardReportThreshold) || 0,
      options.logDiscardedIds === true,
    );
  }

  /** Current counters; `queued` is the number of lines waiting now. */
  get stats(): Readonly<LogWriterStats> {
    this.counters.queued = this.queue.size;
    return this.counters;
  }

  /** Number of batches handed to `fs.write` so far (each is one or a few write calls). */
  get batches(): number {
    return this.writeCalls;
  }

  append(line: string, traceId?: string, spanId?: string): boolean {
    if (this.closed) {
      this.droppedAfterClose();
      return false;
    }
    if (!this.queue.push(line)) {
      this.counters.dropped++;
      this.drops.dropped(traceId, spanId);
      return false;
    }
    this.accepted();
    return true;
  }

  appendEncoded<A, B>(encode: LineEncoder<A, B>, a: A, b: B, traceId?: string, spanId?: string): boolean {
    if (this.closed) {
      this.droppedAfterClose();
      return false;
    }
    const queue = this.queue;
    if (!queue.begin()) {
      this.counters.dropped++;
      this.drops.dropped(traceId, spanId);
      return false;
    }
    try {
      encode(queue, a, b);
    } catch (e) {
      queue.abort();
      this.counters.failed++;
      this.reportFailure('encode a line for', e);
      return false;
    }
    queue.end();
    this.accepted();
    return true;
  }

  /** A line was queued: arm the drain unless one is pending. */
  private accepted(): void {
    this.appended++;
    if (!this.scheduled && !this.pumping && this.retryTimer === undefined) {
      this.drainSoon();
    }
  }

  flush(): Promise<void> {
    if (this.settled >= this.appended) return Promise.resolve();
    // A flush during a back-off retries at once: the caller wants an answer, not a 5 s wait.
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.schedule();
    } else if (this.drainTimer !== undefined) {
      this.schedule(); // nor for the drain delay
    }
    return new Promise<void>((resolve) => {
      this.waiters.push({ target: this.appended, resolve });
    });
  }

  close(): Promise<void> {
    if (this.closing === undefined) this.closing = this.doClose();
    return this.closing;
  }

  /** Deletes rolled files of this log past the retention now (also run on each roll and hourly). */
  cleanup(): Promise<void> {
    if (this.cleaning === undefined) {
      this.cleaning = deleteExpiredRolledFiles(this.file, this.retentionMs, this.now(), this.selfLog).then(
        () => {
          this.cleaning = undefined;
        },
        () => {
          this.cleaning = undefined;
        },
      );
    }
    return this.cleaning;
  }

  /** Drains on the next `setImmediate` (a pending drain timer is cancelled). */
  private schedule(): void {
    if (this.drainTimer !== undefined) {
      clearTimeout(this.drainTimer);
      this.drainTimer = undefined;
    }
    if (this.scheduled || this.pumping) return;
    this.scheduled = true;
    setImmediate(this.onImmediate);
  }

  /** Drains now if {@link urgent}, else once the drain delay is over (one timer at a time). */
  private drainSoon(): void {
    if (this.urgent()) this.schedule();
    else if (this.drainTimer === undefined)
      this.drainTimer = setTimeout(this.onDrainTimer, this.drainDelayMs);
  }

  /** Whether queued lines are to be written now rather than after the drain delay. */
  private urgent(): boolean {
    return (
      this.queue.size >= this.drainLines ||
      this.queue.hasFullChunk ||
      this.waiters.length > 0 ||
      this.closed ||
      this.drainDelayMs === 0
    );
  }

  /** Writes queued batches until the queue is empty or the file cannot be written. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.size > 0) {
        if (this.fd < 0 && !(await this.openActive(undefined))) {
          this.failQueued();
          this.reportFailure('open', this.openError);
          this.scheduleRetry();
          break;
        }
        if (this.fd >= 0 && performance.now() >= this.nextPathCheck) await this.checkPath();
        if (this.fd < 0) continue;
        // The queue may have been given up on (close timeout) while an open or roll was pending.
        if (this.queue.size === 0) break;
        if (this.checkTail) await this.endOnLineBoundary();
        if (this.fd < 0) {
          this.scheduleRetry();
          break;
        }
        // The period is checked right before the batch is taken, with no await in between: a
        // line appended after the boundary never goes into the old period's file.
        const t = this.now();
        if (t >= this.period.end || t < this.period.start) {
          await this.roll(t);
          continue;
        }
        await this.writeBatch();
        if (this.fd < 0) {
          this.scheduleRetry();
          break;
        }
        // What queued up meanwhile waits for the drain delay unless someone waits for it.
        if (!this.urgent()) break;
      }
    } catch (e) {
      // Every step handles its own errors; this is a last guard so a bug cannot reject unobserved.
      this.reportFailure('write', e);
    } finally {
      this.pumping = false;
      if (this.closed && this.queue.size === 0) await this.closeFd();
      else if (this.queue.size > 0 && this.retryTimer === undefined) this.drainSoon();
    }
  }

  private async writeBatch(): Promise<void> {
    const batch = this.queue.take();
    if (batch === undefined) return;
    const n = batch.lines;
    // (after a write, `buffer` is the copy-free one that came back from the I/O thread)
    let buffer: Uint8Array = batch.bytes;
    this.writeCalls++;
    let offset = 0;
    try {
      let wait = PIPE_RETRY_MIN_MS;
      for (;;) {
        // (each time: after a short write the buffer that came back is a new object)
        giveUpForWrite(buffer.buffer);
        const r = await io(this, 'write', this.fd, buffer, offset);
        buffer = r.data;
        offset += r.bytesWritten;
        if (r.error !== undefined) throw new IoError(r.error);
        if (!r.again) break;
        // A full pipe: the I/O thread is not held; wait here (new lines queue up, then drop).
        if (this.gaveUp) throw new Error('write stalled: the pipe is full and nobody reads it');
        await this.pipeWait(wait);
        if (this.gaveUp) throw new Error('write stalled: the pipe is full and nobody reads it');
        wait = Math.min(wait * 2, PIPE_RETRY_MAX_MS);
      }
      this.counters.written += n;
      this.queue.recycle(buffer);
      this.retryDelay = this.retryMinMs;
      if (this.failing) this.reportResumed();
    } catch (e) {
      // A short write (ENOSPC mid-batch) leaves whole lines, then maybe part of one: count the
      // whole ones as written and remember the part, to cut it before the next write.
      // (a buffer lost with a dead I/O thread is detached: then nothing counts as written)
      const whole =
        offset > 0 && buffer.byteLength >= offset
          ? countLineEnds(Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength), offset)
          : { lines: 0, end: 0 };
      // (a self-log entry with a stack spans several lines: never count more than were taken)
      const lines = Math.min(whole.lines, n);
      this.counters.written += lines;
      this.counters.failed += n - lines;
      if (offset > whole.end && buffer.byteLength >= offset) {
        this.fragment = Buffer.from(buffer.subarray(whole.end, offset)); // a copy
        this.fragmentIno = this.ino;
        this.fragmentDev = this.dev;
      }
      this.checkTail = true;
      this.reportFailure('write', e);
      await this.closeFd();
    }
    this.settle(n);
  }

  /**
   * Waits before writing into a full pipe again. The timer is ref'd: lines waiting for a slow
   * reader keep the process alive until written or given up at close(), as a pending write did.
   */
  private pipeWait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakePipeWait = undefined;
        resolve();
      }, ms);
      this.wakePipeWait = () => {
        clearTimeout(timer);
        this.wakePipeWait = undefined;
        resolve();
      };
    });
  }

  /**
   * Makes the file end on a line boundary before writing: the fragment a failed write left is
   * cut off (when the file still ends with exactly those bytes: nobody appended after it), and a
   * file that still ends inside a line (our fragment that could not be cut; a crashed process's
   * fragment, once the file has been quiet for {@link FOREIGN_WRITE_QUIET_MS}) gets a line
   * separator, so the next line starts on a line of its own. A failure here is a write failure.
   */
  private async endOnLineBoundary(): Promise<void> {
    try {
      const st = await io(this, 'fstat', this.fd);
      if (st.isFile && st.size > 0) {
        const own = this.fragment !== undefined && st.ino === this.fragmentIno && st.dev === this.fragmentDev;
        const size = await this.cutFragment(st);
        const settled = own || Date.now() - st.mtimeMs >= FOREIGN_WRITE_QUIET_MS;
        if (size > 0 && settled && (await this.lastByte(st, size)) !== 0x0a) {
          const sep = Buffer.from(this.separator, 'utf8');
          let off = 0;
          while (off < sep.length) {
            const r = await io(this, 'write', this.fd, sep, off);
            if (r.error !== undefined) throw new IoError(r.error);
            if (r.again) throw new Error('write stalled: the pipe is full');
            off += r.bytesWritten;
          }
        }
      }
      this.fragment = undefined;
      this.checkTail = false;
    } catch (e) {
      this.reportFailure('write', e);
      await this.closeFd();
    }
  }

  /** Truncates the fragment of the last failed write if the file ends with it; returns the size. */
  private async cutFragment(st: IoStat): Promise<number> {
    const frag = this.fragment;
    if (frag === undefined || st.ino !== this.fragmentIno || st.dev !== this.fragmentDev) return st.size;
    if (st.size < frag.length) return st.size;
    const tail = await this.readAt(st, st.size - frag.length, frag.length);
    if (tail === undefined || !tail.equals(frag)) return st.size;
    await io(this, 'ftruncate', this.fd, st.size - frag.length);
    return st.size - frag.length;
  }

  private async lastByte(st: IoStat, size: number): Promise<number> {
    const b = await this.readAt(st, size - 1, 1);
    return b === undefined || b.length < 1 ? 0x0a : b[0]!;
  }

  /** Reads bytes of the active file through a read-only descriptor (undefined if the path moved). */
  private async readAt(st: IoStat, position: number, length: number): Promise<Buffer | undefined> {
    let fd: number;
    try {
      fd = await io(this, 'openRead', this.file);
    } catch (e) {
      // the path was rolled or removed meanwhile (another process): nothing to check here
      if ((e as { code?: string }).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const rst = await io(this, 'fstat', fd);
      if (rst.ino !== st.ino || rst.dev !== st.dev) return undefined;
      return Buffer.from(await io(this, 'read', fd, length, position));
    } finally {
      await io(this, 'close', fd).catch(() => undefined);
    }
  }

  /**
   * A line after `close()` — a span of a request still in flight at shutdown: counted as
   * dropped and reported (stderr, since the self-log is closed too; rate-limited, with the count).
   */
  private droppedAfterClose(): void {
    this.counters.dropped++;
    this.lateDrops++;
    const held = this.lateLimiter.take();
    if (held < 0) return;
    const n = this.lateDrops;
    this.lateDrops = 0;
    const message =
      `${n} line${n === 1 ? '' : 's'} of ${this.name} arrived after close() and ${n === 1 ? 'was' : 'were'} dropped ` +
      `(${this.counters.dropped} dropped in all); on shutdown, let in-flight requests end before close()`;
    try {
      this.selfLog.warn(message);
    } catch {
      // stderr below
    }
    if (this.stderrWarnings) writeStderr(message);
  }

  private reportResumed(): void {
    this.failing = false;
    const held = this.resumeLimiter.take();
    if (held < 0) return;
    let message = `resumed writing ${this.name}; ${this.counters.failed} lines lost so far`;
    if (held > 0) message += ` (${held} similar messages suppressed)`;
    try {
      this.selfLog.info(message);
    } catch {
      // Reported to stderr below.
    }
    if (this.stderrWarnings) writeStderr(message);
  }

  /**
   * Opens (creating directories as needed) the active file. Its period is `forcePeriodAt`'s when
   * given, else the period of its mtime if it already holds lines (a file left by a previous run),
   * else the current one.
   */
  private async openActive(forcePeriodAt: number | undefined): Promise<boolean> {
    try {
      await io(this, 'mkdirp', path.dirname(this.file));
      // Write-only: read access (O_RDWR) would make a FIFO its own reader and a stalled write
      // could then never fail. The tail is read through a separate descriptor when needed.
      const fd = await io(this, 'openAppend', this.file);
      let st: IoStat;
      try {
        st = await io(this, 'fstat', fd);
      } catch (e) {
        await io(this, 'close', fd).catch(() => undefined);
        throw e;
      }
      this.fd = fd;
      this.ino = st.ino;
      this.dev = st.dev;
      // The mtime is wall-clock time: translate it into the writer's clock (the same in
      // production; shifted when a test or a simulation injects its own clock).
      const now = this.now();
      const at = forcePeriodAt ?? (st.size > 0 ? st.mtimeMs + (now - Date.now()) : now);
      this.period = rollingPeriod(at, this.policy);
      this.nextPathCheck = performance.now() + this.pathCheckIntervalMs;
      // "Resumed" is said after the next successful write, not here: on a full disk the open
      // succeeds and the write fails.
      if (st.size > 0) this.checkTail = true;
      if (this.cleanupTimer === undefined && !this.closed && this.retentionMs > 0) {
        this.cleanupTimer = setInterval(this.onCleanupTimer, this.cleanupIntervalMs);
        this.cleanupTimer.unref();
        void this.cleanup();
      }
      return true;
    } catch (e) {
      // Reported by the caller once the lines it costs are counted.
      this.openError = e;
      return false;
    }
  }

  /** Closes the active file, renames it after the period it covers and opens a fresh one. */
  private async roll(t: number): Promise<void> {
    const old = this.period;
    try {
      const st = await io(this, 'fstat', this.fd);
      if (st.size === 0) {
        // Nothing was written in the old period: keep the file, no empty rolled file.
        this.period = rollingPeriod(t, this.policy);
        return;
      }
      await this.closeFd();
      // Several processes may share the file: exactly one of them rolls it (see shared-roll.ts).
      const outcome = await rollShared(
        this,
        this.file,
        st.ino,
        st.dev,
        rolledFileName(this.file, old, this.policy),
      );
      if (outcome.rolled) this.selfLog.info(`${this.file} -> ${outcome.target}`);
    } catch (e) {
      this.selfLog.error(`Failed to roll ${this.name}`, e);
    }
    await this.closeFd();
    if (await this.openActive(t)) void this.cleanup();
    else this.reportFailure('open', this.openError);
  }

  /** Notices a deleted or replaced file (rm -rf of the directory, logrotate) and reopens. */
  private async checkPath(): Promise<void> {
    this.nextPathCheck = performance.now() + this.pathCheckIntervalMs;
    try {
      const st = await io(this, 'stat', this.file);
      if (st.ino === this.ino && st.dev === this.dev) return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return;
    }
    // Past the end of the period, another process sharing the file has rolled it: not a fault.
    if (this.now() < this.period.end) this.selfLog.warn(`${this.name} was deleted or replaced; reopening it`);
    await this.closeFd();
  }

  private async closeFd(): Promise<void> {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    try {
      await io(this, 'close', fd);
    } catch {
      // The descriptor is gone either way.
    }
  }

  private scheduleRetry(): void {
    // Armed even with an empty queue: the back-off must also hold back the next append's drain.
    if (this.retryTimer !== undefined || (this.closed && this.queue.size === 0)) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.retryMaxMs);
    this.retryTimer = setTimeout(this.onRetry, delay);
    this.retryTimer.unref();
  }

  /** Counts every queued line as failed (the file cannot be opened now). */
  private failQueued(): void {
    const n = this.queue.clear();
    if (n === 0) return;
    this.counters.failed += n;
    this.settle(n);
  }

  private settle(n: number): void {
    this.settled += n;
    if (this.waiters.length === 0) return;
    const still: FlushWaiter[] = [];
    for (const w of this.waiters) {
      if (this.settled >= w.target) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private reportFailure(operation: string, error: unknown): void {
    this.failing = true;
    const held = this.limiter.take();
    if (held < 0) return;
    let message =
      `failed to ${operation} ${this.name}: ${errorText(error)}; ` +
      `${this.counters.failed} lines lost so far, retrying`;
    if (held > 0) message += ` (${held} similar errors suppressed)`;
    try {
      this.selfLog.warn(message);
    } catch {
      // Reported to stderr below.
    }
    if (this.stderrWarnings) writeStderr(message);
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    if (this.cleanupTimer !== undefined) clearInterval(this.cleanupTimer);
    this.cleanupTimer = undefined;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<typeof CLOSE_TIMED_OUT>((resolve) => {
      timer = setTimeout(resolve, this.closeTimeoutMs, CLOSE_TIMED_OUT);
      timer.unref();
    });
    const outcome = await Promise.race([this.flush(), timedOut]);
    clearTimeout(timer);
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    if (outcome === CLOSE_TIMED_OUT) {
      // A call stuck in the kernel (a hung mount) must not keep the process alive any longer.
      this.gaveUp = true;
      abandonIo(this);
      // A batch waiting for a full pipe (not stuck in the kernel) is counted failed right now.
      const waiting = this.wakePipeWait;
      if (waiting !== undefined) {
        waiting();
        // bounded: its descriptor is closed on the I/O thread, which another file may be blocking
        await Promise.race([this.pumpDone, new Promise((r) => setTimeout(r, 2000).unref())]);
      }
      const lost = this.queue.size;
      this.failQueued();
      const message = `gave up writing ${this.name} after ${this.closeTimeoutMs} ms at close; ${lost} queued lines lost`;
      this.selfLog.warn(message);
      if (this.stderrWarnings) writeStderr(message);
      // Lines already in a stalled write are settled when it returns; release close() now.
      this.settle(this.appended - this.settled);
    }
    this.drops.reportPending();
    // With a write stalled the descriptor is closed when it returns (pump's finally): closing it
    // now could let the number be reused under that write. Otherwise let the drain finish first.
    if (outcome !== CLOSE_TIMED_OUT) await this.pumpDone;
    if (!this.pumping) await this.closeFd();
    if (this.cleaning !== undefined) await this.cleaning;
  }
}

/** The number of `\n` in `buffer[0, limit)` and the offset just past the last one. */
function countLineEnds(buffer: Buffer, limit: number): { lines: number; end: number } {
  let lines = 0;
  let end = 0;
  let i = buffer.indexOf(0x0a);
  while (i >= 0 && i < limit) {
    lines++;
    end = i + 1;
    i = buffer.indexOf(0x0a, end);
  }
  return { lines, end };
}
