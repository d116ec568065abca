import * as prom from 'prom-client';
import type { LookoutLogger } from '../api/types';

/** Options of the Prometheus Pushgateway push (short-lived jobs). */
export interface PushgatewayOptions {
  /** Pushgateway URL, e.g. `http://pushgateway:9091` (or a Lookout gateway's `/prom` prefix). */
  url: string;
  /** `job` grouping key. Default the app name. */
  jobName?: string;
  /** Extra grouping keys (`instance`, …). */
  groupings?: Record<string, string>;
  /** Push every this many ms (unref'd timer); 0 or absent = only on `push()` and `close()`. */
  intervalMs?: number;
  /** Request timeout, ms. Default 5000. */
  timeoutMs?: number;
}

/**
 * Pushes the whole registry to a Prometheus Pushgateway through prom-client's `Pushgateway`
 * (`PUT` = replace the group), on demand, on an optional interval and once on close. Failures are
 * logged (once per failure streak), never thrown from the timer.
 */
export class PushgatewayPusher {
  private readonly gateway: prom.Pushgateway<prom.RegistryContentType>;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  /** Successful and failed pushes. */
  readonly stats = { pushed: 0, failed: 0 };

  constructor(
    registry: prom.Registry,
    private readonly options: PushgatewayOptions & { jobName: string },
    private readonly logger: LookoutLogger,
  ) {
    this.gateway = new prom.Pushgateway(options.url, { timeout: options.timeoutMs ?? 5000 }, registry);
    if (options.intervalMs && options.intervalMs > 0) {
      this.timer = setInterval(() => void this.push().catch(() => undefined), options.intervalMs);
      this.timer.unref();
    }
  }

  /** Pushes now; rejects when the push failed. */
  async push(): Promise<void> {
    try {
      const res = await this.gateway.push({
        jobName: this.options.jobName,
        groupings: this.options.groupings,
      });
      const status = (res.resp as { statusCode?: number } | undefined)?.statusCode ?? 0;
      if (status >= 400) throw new Error('Pushgateway answered HTTP ' + status);
      this.stats.pushed++;
      this.failing = false;
    } catch (err) {
      this.stats.failed++;
      if (!this.failing) {
        this.failing = true;
        this.logger.warn(
          'Lookout Pushgateway push to ' +
            this.options.url +
            ' failed: ' +
            (err instanceof Error ? err.message : String(err)),
        );
      }
      throw err;
    }
  }

  /** Stops the interval and pushes a last time. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.push().catch(() => undefined);
  }
}
