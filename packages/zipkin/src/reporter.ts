import { performance } from 'node:perf_hooks';
import {
  localIpv4,
  runWithSpan,
  StderrSelfLog,
  tryGetTracer,
  type ReadableSpan,
  type SelfLog,
  type SpanListener,
} from '@sofa-tracer/core';
import { resolveZipkinConfig, type ResolvedZipkinConfig, type ZipkinOptions } from './config';
import { DropLedger, type DropListener, type DropReason } from './drops';
import { encodeZipkinSpan, localEndpointJson } from './mapping';
import { ZipkinSender } from './sender';
import { listBytes, SpanQueue, type Batch } from './span-queue';

/** Counters of a {@link ZipkinReporter}, exact since start. */
export interface ZipkinStats {
  /** Sampled spans handed to the reporter (accepted into the queue or dropped). */
  readonly reported: number;
  /** Spans the collector accepted (2xx). */
  readonly sent: number;
  /** Spans dropped, all reasons. */
  readonly dropped: number;
  /** Spans dropped, per reason. */
  readonly droppedBy: Readonly<Record<DropReason, number>>;
  /** Spans waiting in the queue now. */
  readonly queuedSpans: number;
  /** Encoded bytes waiting in the queue now. */
  readonly queuedBytes: number;
  /** Spans in the request in flight (or waiting for its retry) now. */
  readonly inFlightSpans: number;
  /** POSTs made (retries and split halves included). */
  readonly requests: number;
  /** POSTs that did not end in 2xx. */
  readonly failedRequests: number;
}

/** A span listener that sends sampled spans to Zipkin. */
export interface ZipkinReporter extends SpanListener {
  /** Resolved configuration. */
  readonly config: ResolvedZipkinConfig;
  /** Exact counters: reported = sent + dropped + queued + in flight. */
  stats(): ZipkinStats;
  /** Calls `listener(count, reason)` for every drop (what the Lookout drop metric uses); returns a remover. */
  onDrop(listener: DropListener): () => void;
  /** Sends everything queued now; resolves when the queue is empty, or at once while sending is paused after an outage. */
  flush(): Promise<void>;
  /** Stops accepting spans, flushes within `closeTimeoutMs`, counts the rest as dropped. Idempotent. */
  close(): Promise<void>;
}

const MAX_BACKOFF_MS = 30_000;
/** Smallest message the 413 handling shrinks to. */
const MIN_MESSAGE_BYTES = 1024;

/**
 * Creates a Zipkin reporter (a span listener) without attaching it: pass it to
 * `init({ listeners: [zipkinReporter({ baseUrl })] })` or `tracer.addSpanListener(...)`.
 * Only sampled spans are sent. The listener only pushes the span; an encoding pass after the
 * current I/O and a batcher (unref'd timer) do the rest, off the request path.
 */
export function zipkinReporter(options: ZipkinOptions = {}): ZipkinReporter {
  return new HttpZipkinReporter(resolveZipkinConfig(options), options);
}

class HttpZipkinReporter implements ZipkinReporter {
  private readonly queue: SpanQueue;
  private readonly sender: ZipkinSender;
  private readonly drops: DropLedger;
  private readonly ipv4: string;
  // One-entry memo: a reporter sees one app name (one tracer) in practice.
  private endpointApp = '';
  private endpointJson = '';
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  /** Reported, not yet encoded (one event-loop turn at most). */
  private pending: ReadableSpan[] = [];
  private closing: Promise<void> | undefined;
  private closeRequested = false;
  private deadlinePassed = false;
  private wakeSleep: (() => void) | undefined;
  private messageBytes: number;
  /** Batches in a row that failed every try: the collector is down, not blipping. */
  private downStreak = 0;
  /** Monotonic ms before which no batch is tried (the queue fills and drops cheaply meanwhile). */
  private pausedUntil = 0;
  private reported = 0;
  private sent = 0;
  private inFlight = 0;
  private requests = 0;
  private failedRequests = 0;

  constructor(
    readonly config: ResolvedZipkinConfig,
    options: ZipkinOptions,
  ) {
    this.queue = new SpanQueue(config.maxQueueSpans, config.maxQueueBytes);
    this.sender = new ZipkinSender({
      endpoint: config.endpoint,
      gzip: config.gzip,
      timeoutMs: config.timeoutMs,
    });
    this.ipv4 = options.localIpv4 ?? localIpv4();
    this.messageBytes = config.maxMessageBytes;
    const fixed = options.selfLog ?? options.tracer?.selfLog;
    let fallback: SelfLog | undefined;
    const selfLog = (): SelfLog => fixed ?? tryGetTracer()?.selfLog ?? (fallback ??= new StderrSelfLog());
    this.drops = new DropLedger(selfLog, config.reportIntervalMs);
    if (config.enabled) {
      this.timer = setInterval(() => this.tick(), config.flushIntervalMs);
      this.timer.unref();
    }
  }

  onSpanReport(span: ReadableSpan): void {
    if (!this.config.enabled) return;
    if (!span.context().sampled) return;
    this.reported++;
    if (this.closeRequested) {
      this.drops.drop(1, 'closed');
      return;
    }
    if (this.pending.length + this.queue.length >= this.config.maxQueueSpans) {
      this.drops.drop(1, 'queue_full');
      return;
    }
    // Only a push on the request path: spans are encoded together once the current I/O is done
    // (as Java's AsyncReporter encodes at flush), outside the request's async context.
    this.pending.push(span);
    if (this.pending.length === 1) {
      setImmediate(() => runWithSpan(undefined, () => this.encodePending())).unref();
    }
  }

  /** Encodes the spans reported since the last pass into the byte-bounded queue. */
  private encodePending(): void {
    const spans = this.pending;
    if (spans.length === 0) return;
    this.pending = [];
    for (const span of spans) {
      let json: string;
      try {
        const app = span.localApp;
        if (app !== this.endpointApp || this.endpointJson === '') {
          this.endpointJson = localEndpointJson(app, this.ipv4);
          this.endpointApp = app;
        }
        json = encodeZipkinSpan(span, this.endpointJson);
      } catch (error) {
        this.drops.drop(1, 'encoding_error', describe(error));
        continue;
      }
      const size = Buffer.byteLength(json);
      if (listBytes(1, size) > this.config.maxMessageBytes) {
        this.drops.drop(1, 'too_large', `one span of ${size} bytes exceeds maxMessageBytes`);
      } else if (!this.queue.offer(json, size)) {
        this.drops.drop(1, 'queue_full');
      }
    }
    // A full message is ready: send it now instead of waiting for the interval.
    if (this.queue.bytes >= this.messageBytes) this.startLoop();
  }

  stats(): ZipkinStats {
    return {
      reported: this.reported,
      sent: this.sent,
      dropped: this.drops.count,
      droppedBy: this.drops.totals(),
      queuedSpans: this.queue.length + this.pending.length,
      queuedBytes: this.queue.bytes,
      inFlightSpans: this.inFlight,
      requests: this.requests,
      failedRequests: this.failedRequests,
    };
  }

  onDrop(listener: DropListener): () => void {
    return this.drops.addListener(listener);
  }

  async flush(): Promise<void> {
    for (;;) {
      this.encodePending();
      if (this.loop === undefined) {
        if (this.queue.length === 0 || this.deadlinePassed) return;
        this.startLoop();
        // paused after an outage: the queue stays for the tick that ends the pause
        if (this.loop === undefined) return;
      }
      await this.loop;
    }
  }

  close(): Promise<void> {
    if (this.closing === undefined) {
      // set before doClose() runs: its synchronous part already needs to know
      this.closeRequested = true;
      this.closing = this.doClose();
    }
    return this.closing;
  }

  private async doClose(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.config.enabled) return;
    // Bounded by the deadline: the only moment the reporter keeps the process alive.
    this.sender.hold(true);
    const deadline = setTimeout(() => {
      this.deadlinePassed = true;
      this.sender.abort();
      this.wakeSleep?.();
    }, this.config.closeTimeoutMs);
    try {
      await this.flush();
    } finally {
      clearTimeout(deadline);
      this.deadlinePassed = true;
      const unsent = this.queue.clear() + this.pending.length;
      this.pending = [];
      this.drops.drop(unsent, 'closed', 'close() deadline passed');
      this.sender.hold(false);
      this.sender.destroy();
      this.drops.report(true);
    }
  }

  private tick(): void {
    this.encodePending();
    this.drops.report();
    if (this.queue.length > 0) this.startLoop();
  }

  private startLoop(): void {
    if (this.loop !== undefined || this.deadlinePassed) return;
    if (!this.closeRequested && performance.now() < this.pausedUntil) return;
    this.loop = this.drain().finally(() => {
      this.loop = undefined;
    });
  }

  private async drain(): Promise<void> {
    // What was queued when the loop started, plus any full message: spans that keep arriving
    // wait for the next tick and make bigger batches instead of a stream of tiny POSTs.
    let budget = this.queue.length;
    while (
      this.queue.length > 0 &&
      !this.deadlinePassed &&
      (budget > 0 || this.queue.bytes >= this.messageBytes || this.closeRequested)
    ) {
      if (!this.closeRequested && performance.now() < this.pausedUntil) return;
      const batch = this.queue.take(this.messageBytes);
      budget -= batch.spans.length;
      this.inFlight = batch.spans.length;
      try {
        await this.deliver(batch);
      } catch (error) {
        // deliver never throws by design; if it did, the batch must still be counted
        this.drops.drop(this.inFlight, 'send_failed', describe(error));
      } finally {
        this.inFlight = 0;
      }
    }
  }

  /** Sends one batch with retries; 413 splits it. Every span ends up sent or counted as dropped. */
  private async deliver(batch: Batch): Promise<void> {
    const n = batch.spans.length;
    const body = Buffer.from('[' + batch.spans.join(',') + ']');
    for (let attempt = 0; ; attempt++) {
      if (this.deadlinePassed) {
        this.drops.drop(n, 'closed', 'close() deadline passed');
        this.inFlight -= n;
        return;
      }
      this.requests++;
      const outcome = await this.sender.send(body);
      if (outcome.kind === 'ok') {
        if (this.downStreak > 0)
          this.drops.info(`zipkin: collector reachable again after ${this.downStreak} failed batches`);
        this.downStreak = 0;
        this.pausedUntil = 0;
        this.sent += n;
        this.inFlight -= n;
        return;
      }
      this.failedRequests++;
      if (outcome.kind === 'too-large') {
        // The collector's limit is below ours: remember it, and split rather than lose the batch.
        this.messageBytes = Math.max(
          MIN_MESSAGE_BYTES,
          Math.min(this.messageBytes, Math.floor(batch.bytes / 2)), // uncompressed, like the limit itself
        );
        if (n === 1) {
          this.drops.drop(1, 'too_large', outcome.detail);
          this.inFlight -= 1;
          return;
        }
        const half = Math.ceil(n / 2);
        await this.deliver(split(batch.spans.slice(0, half)));
        await this.deliver(split(batch.spans.slice(half)));
        return;
      }
      if (outcome.kind === 'rejected') {
        this.drops.drop(n, 'rejected', outcome.detail);
        this.inFlight -= n;
        return;
      }
      if (this.deadlinePassed) {
        this.drops.drop(n, 'closed', outcome.detail);
        this.inFlight -= n;
        return;
      }
      // Closing while the collector is known down: one try per batch, the deadline is short.
      const retries = this.closeRequested && this.downStreak > 0 ? 0 : this.config.maxRetries;
      if (attempt >= retries) {
        this.drops.drop(n, 'send_failed', outcome.detail);
        this.inFlight -= n;
        // Down, not blipping: pause before the next batch (doubling), so an outage costs a few
        // connection attempts and cheap queue-full drops rather than encoding spans to lose them.
        this.downStreak++;
        this.pausedUntil =
          performance.now() + backoff(this.config.retryBackoffMs, this.config.maxRetries + this.downStreak);
        return;
      }
      this.drops.noteError(outcome.detail);
      await this.sleep(backoff(this.config.retryBackoffMs, attempt));
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      t.unref();
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wakeSleep = () => {
        this.wakeSleep = undefined;
        done();
      };
    });
  }
}

function split(spans: string[]): Batch {
  let sum = 0;
  for (const s of spans) sum += Buffer.byteLength(s);
  return { spans, bytes: listBytes(spans.length, sum) };
}

/** `base · 2^attempt`, ±20 % jitter, capped. */
function backoff(base: number, attempt: number): number {
  const raw = Math.min(MAX_BACKOFF_MS, base * 2 ** attempt);
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
