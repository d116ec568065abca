import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { compress } from 'snappyjs';
import { PRIORITIES, type Priority } from '../api/id';
import type { Registry } from '../api/registry';
import type { Counter, LookoutLogger } from '../api/types';
import { buildRecords } from './gateway-records';

/** Options of the Lookout gateway push. */
export interface GatewayOptions {
  /** Gateway address: `http://host:7200`, `host:port` or `host` (port 7200). */
  address: string;
  /** Records per POST (Java `reportBatchSize`). Default 1700. */
  batchSize?: number;
  /** From this many records a batch is snappy-compressed. Default 100. */
  compressThreshold?: number;
  /** Connect + response timeout per request, ms. Default 1000. */
  timeoutMs?: number;
  /** Records kept while the gateway is down, all priorities together; oldest dropped first. Default 10000. */
  maxBufferedRecords?: number;
  /** How long a successful health check is trusted, ms. Default 60000. */
  healthCheckIntervalMs?: number;
  /** `Client-Ip` header; default the first non-internal IPv4 address. */
  clientIp?: string;
}

/** Counters of the gateway push (all monotonic except `buffered`). */
export interface GatewayStats {
  /** Batches accepted by the gateway. */
  batchesSent: number;
  /** Records accepted by the gateway. */
  recordsSent: number;
  /** POSTs that failed (error, timeout, non-2xx). */
  batchesFailed: number;
  /** Records dropped because the buffer was full. */
  recordsDropped: number;
  /** Records waiting now. */
  buffered: number;
}

/** Self metric: batches reported. */
export const REPORT_COUNT = 'lookout.client.report.count';
/** Self metric: batches that failed. */
export const REPORT_FAIL_COUNT = 'lookout.client.report.fail.count';
/** Self metric: records dropped while the gateway was unreachable. */
export const REPORT_DROP_COUNT = 'lookout.client.report.drop.count';

/** Upper bound of a `Wait-Minutes` pause. */
const MAX_WAIT_MINUTES = 1440;

interface Reply {
  status: number;
  waitMinutes: number;
}

/** Header values must be visible ASCII; anything else (a Chinese app name) is percent-encoded. */
function headerSafe(v: string): string {
  return /^[\x20-\x7e]*$/.test(v) ? v : encodeURIComponent(v);
}

function parseAddress(address: string): URL {
  const withScheme = /^https?:\/\//i.test(address) ? address : 'http://' + address;
  const url = new URL(withScheme);
  if (!url.port && !/^https?:\/\/[^/]+:\d+/i.test(withScheme))
    url.port = url.protocol === 'https:' ? '' : '7200';
  return url;
}

/**
 * Pushes Lookout records to a Lookout gateway (`POST /datas`), the way the Java client does:
 * records of one step and priority joined by a tab, batches of `batchSize`, snappy (raw block)
 * from `compressThreshold` records, headers `Client-Ip`/`app`/`pri`/`User-Agent`, a health check
 * (`GET /datas`: 200 usable, 412 rejected) before sending, 1 s timeouts, and a `Wait-Minutes`
 * reply header that pauses sending. Unlike Java, a step is not dropped when the gateway is down:
 * records wait in a bounded buffer; what overflows is dropped and counted. Never throws.
 */
export class GatewayReporter {
  readonly stats: GatewayStats = {
    batchesSent: 0,
    recordsSent: 0,
    batchesFailed: 0,
    recordsDropped: 0,
    buffered: 0,
  };
  private readonly url: URL;
  private readonly queues = new Map<Priority, string[]>(PRIORITIES.map((p) => [p, []]));
  private readonly nextDue = new Map<Priority, number>();
  /** Records trimmed from the head of each queue so far (lets a send know what is still its batch). */
  private readonly trimmed = new Map<Priority, number>(PRIORITIES.map((p) => [p, 0]));
  private readonly batchSize: number;
  private readonly compressThreshold: number;
  private readonly timeoutMs: number;
  private readonly maxBuffered: number;
  private readonly healthTtl: number;
  private readonly clientIp: string;
  private readonly reportCount: Counter;
  private readonly failCount: Counter;
  private readonly dropCount: Counter;
  private healthyUntil = 0;
  private pausedUntil = 0;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private warnedRejected = false;
  private warnedDown = false;

  constructor(
    private readonly registry: Registry,
    options: GatewayOptions,
    private readonly logger: LookoutLogger,
    clientIp: string,
  ) {
    this.url = parseAddress(options.address);
    this.batchSize = Math.max(1, options.batchSize ?? 1700);
    this.compressThreshold = Math.max(1, options.compressThreshold ?? 100);
    this.timeoutMs = Math.max(1, options.timeoutMs ?? 1000);
    this.maxBuffered = Math.max(0, options.maxBufferedRecords ?? 10000);
    this.healthTtl = Math.max(0, options.healthCheckIntervalMs ?? 60000);
    this.clientIp = options.clientIp ?? clientIp;
    this.reportCount = registry.counter(REPORT_COUNT, {
      description: 'Batches accepted by the Lookout gateway',
    });
    this.failCount = registry.counter(REPORT_FAIL_COUNT, {
      description: 'Batches the Lookout gateway did not accept',
    });
    this.dropCount = registry.counter(REPORT_DROP_COUNT, {
      description: 'Lookout records dropped while the gateway was unreachable',
    });
  }

  /** Starts the step timer (unref'd). */
  start(): void {
    if (this.timer) return;
    const steps = this.registry.stepMs;
    const tick = Math.max(50, Math.min(steps.high, steps.normal, steps.low));
    const now = Date.now();
    for (const p of PRIORITIES) this.nextDue.set(p, (Math.floor(now / steps[p]) + 1) * steps[p]);
    this.timer = setInterval(() => void this.tick(), tick);
    this.timer.unref();
  }

  private tick(): Promise<void> {
    const now = Date.now();
    const steps = this.registry.stepMs;
    for (const p of PRIORITIES) {
      const due = this.nextDue.get(p) ?? 0;
      if (now >= due) {
        this.collect(p, now);
        this.nextDue.set(p, (Math.floor(now / steps[p]) + 1) * steps[p]);
      }
    }
    return this.flush();
  }

  /** Collects the current step of the given priorities (default all) and sends what is buffered. */
  async report(priorities: readonly Priority[] = PRIORITIES): Promise<void> {
    const now = Date.now();
    for (const p of priorities) this.collect(p, now);
    await this.flush();
  }

  /** Moves the step's records of one priority into its queue, dropping the oldest past the bound. */
  collect(priority: Priority, now: number): void {
    const records = buildRecords(
      this.registry.metrics(),
      priority,
      this.registry.stepMs[priority],
      now,
      this.registry.commonTags,
    );
    if (records.length === 0) return;
    const q = this.queues.get(priority)!;
    for (const r of records) q.push(r);
    this.stats.buffered += records.length;
    let excess = this.stats.buffered - this.maxBuffered;
    // Drop oldest, lowest priority first.
    for (let i = PRIORITIES.length - 1; i >= 0 && excess > 0; i--) {
      const qq = this.queues.get(PRIORITIES[i])!;
      const n = Math.min(excess, qq.length);
      if (n === 0) continue;
      qq.splice(0, n);
      this.trimmed.set(PRIORITIES[i], this.trimmed.get(PRIORITIES[i])! + n);
      excess -= n;
      this.stats.buffered -= n;
      this.stats.recordsDropped += n;
      this.dropCount.inc(n);
    }
  }

  /** Sends buffered records (one flush at a time); resolves when done or given up. */
  flush(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.send().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  /** True while a `Wait-Minutes` pause is running. */
  get paused(): boolean {
    return Date.now() < this.pausedUntil;
  }

  private async send(): Promise<void> {
    if (this.stats.buffered === 0 || this.paused) return;
    if (Date.now() >= this.healthyUntil && !(await this.healthCheck())) return;
    for (const p of PRIORITIES) {
      const q = this.queues.get(p)!;
      while (q.length > 0) {
        if (this.paused) return;
        const batch = q.slice(0, this.batchSize);
        const trimmedBefore = this.trimmed.get(p)!;
        const ok = await this.post(batch, p);
        if (!ok) {
          this.healthyUntil = 0;
          return;
        }
        // Records of the batch dropped by the bound while it was in flight are already gone.
        const stillQueued = Math.max(0, batch.length - (this.trimmed.get(p)! - trimmedBefore));
        q.splice(0, stillQueued);
        this.stats.buffered -= stillQueued;
        this.stats.batchesSent++;
        this.stats.recordsSent += batch.length;
        this.reportCount.inc();
      }
    }
  }

  private async healthCheck(): Promise<boolean> {
    const reply = await this.request('GET', undefined, {});
    if (reply && reply.status === 200) {
      this.healthyUntil = Date.now() + this.healthTtl;
      this.warnedDown = false;
      return true;
    }
    if (reply && reply.status === 412) {
      if (!this.warnedRejected) {
        this.warnedRejected = true;
        this.logger.warn(
          `Lookout gateway ${this.url.host} rejected this client (412); records are buffered (max ${this.maxBuffered}) and dropped past that`,
        );
      }
    } else if (!this.warnedDown) {
      this.warnedDown = true;
      this.logger.warn(
        `Lookout gateway ${this.url.host} is unreachable (${reply ? 'HTTP ' + reply.status : 'no answer'}); records are buffered (max ${this.maxBuffered}) and dropped past that`,
      );
    }
    return false;
  }

  private async post(batch: string[], priority: Priority): Promise<boolean> {
    const text = Buffer.from(batch.join('\t'), 'utf8');
    const headers: Record<string, string> = {
      'Client-Ip': headerSafe(this.clientIp),
      app: headerSafe(this.registry.commonTags.app ?? ''),
      pri: priority.toUpperCase(),
      'User-Agent': 'LOOKOUT-CLIENT-V1',
    };
    let body = text;
    if (batch.length >= this.compressThreshold) {
      body = compress(text);
      headers['Content-Type'] = 'application/octet-stream';
      headers['Content-Encoding'] = 'snappy';
    } else {
      headers['Content-Type'] = 'text/plain; charset=utf-8';
    }
    const reply = await this.request('POST', body, headers);
    const ok = reply !== null && reply.status >= 200 && reply.status < 300;
    if (!ok) {
      this.stats.batchesFailed++;
      this.failCount.inc();
    }
    return ok;
  }

  /** One request with a hard timeout; null on error/timeout. Applies `Wait-Minutes`. */
  private request(
    method: 'GET' | 'POST',
    body: Buffer | undefined,
    headers: Record<string, string>,
  ): Promise<Reply | null> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (r: Reply | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const doRequest = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
      const h: Record<string, string | number> = { ...headers };
      if (body) h['Content-Length'] = body.length;
      let req: ReturnType<typeof httpRequest>;
      try {
        req = doRequest(
          new URL('/datas', this.url),
          { method, headers: h, agent: false },
          (res: IncomingMessage) => {
            // A hostile or broken gateway cannot silence the client for more than a day.
            const wait = Math.min(Number(res.headers['wait-minutes']), MAX_WAIT_MINUTES);
            res.resume();
            res.on('end', () => {
              if (wait > 0) this.pausedUntil = Date.now() + wait * 60000;
              done({ status: res.statusCode ?? 0, waitMinutes: wait > 0 ? wait : 0 });
            });
            res.on('error', () => done(null));
          },
        );
      } catch {
        resolve(null);
        return;
      }
      const timer = setTimeout(() => {
        req.destroy(new Error('timeout'));
        done(null);
      }, this.timeoutMs);
      timer.unref();
      req.on('error', () => done(null));
      req.end(body);
    });
  }

  /** Stops the timer and makes a last attempt to send the current step. */
  async stop(finalReport = true): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (finalReport) await this.report().catch(() => undefined);
    else await this.inFlight;
  }
}
