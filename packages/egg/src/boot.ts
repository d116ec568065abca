import { enableLookout, type Lookout } from '@sofa-tracer/lookout';
import { answerMetricsRequests, ClusterMetricsServer, type EggMessenger } from './cluster-metrics';
import { lookoutConfigOf, validateEggConfig, type EggLookoutConfig } from './options';
import { traceScheduleTasks, type ScheduleAppLike } from './schedule';
import { eggTracerState, startEggTracer, stopEggTracer, type EggAppLike } from './state';

/** The middleware name egg derives from `app/middleware/sofa_tracer.js`. */
export const MIDDLEWARE_NAME = 'sofaTracer';

/** Default port of the agent's cluster-wide `/metrics` (Lookout's). */
export const DEFAULT_METRICS_PORT = 9494;

/** What the boots read from an egg app or agent besides {@link EggAppLike}. */
interface WithMessenger {
  messenger?: EggMessenger;
  coreLogger?: { info(message: string, ...args: unknown[]): void };
}

/** The worker's share of the lookout options: no server of its own, the agent serves. */
function workerLookoutOptions(c: EggLookoutConfig): Omit<EggLookoutConfig, 'scrapeTimeoutMs' | 'port'> {
  const { scrapeTimeoutMs: _t, port: _p, host: _h, path: _path, ...rest } = c;
  return rest;
}

/**
 * The plugin's `app.js` boot class (egg's lifecycle): puts the middleware first in
 * `coreMiddleware` (so the span covers egg's own middlewares: static, body parser, security…),
 * starts the tracer when the configuration is loaded (failing start-up on invalid options), wraps
 * the schedule tasks once they are loaded, turns on Lookout metrics when configured (answering
 * the agent's cluster scrapes), and flushes/closes on `beforeClose`.
 */
export class SofaTracerAppBoot {
  private lookout: Lookout | undefined;
  private stopAnswering: (() => void) | undefined;

  constructor(private readonly app: EggAppLike & ScheduleAppLike & WithMessenger) {}

  /** egg: the configuration may still be changed here. */
  configWillLoad(): void {
    const core = this.app.config.coreMiddleware;
    if (Array.isArray(core) && !core.includes(MIDDLEWARE_NAME)) core.unshift(MIDDLEWARE_NAME);
  }

  /** egg: the configuration is final. */
  configDidLoad(): void {
    startEggTracer(this.app);
  }

  /** egg: every file (schedules included) is loaded. */
  didLoad(): void {
    const state = eggTracerState(this.app) ?? startEggTracer(this.app);
    if (state.config.schedule !== false) traceScheduleTasks(this.app, state.tracer);
    const lc = lookoutConfigOf(state.config);
    if (lc !== undefined) {
      this.lookout = enableLookout({ ...workerLookoutOptions(lc), port: false, tracer: state.tracer });
      if (this.app.messenger !== undefined)
        this.stopAnswering = answerMetricsRequests(this.app.messenger, this.lookout.prometheus);
    }
  }

  /** egg: the app is closing; spans finished so far reach the disk. */
  async beforeClose(): Promise<void> {
    this.stopAnswering?.();
    await this.lookout?.close();
    await stopEggTracer(this.app);
  }
}

/**
 * The plugin's `agent.js` boot class: the agent serves no requests and traces nothing; with
 * `sofaTracer.lookout` on, it serves the cluster-wide `/metrics` (every app worker's registry,
 * summed) — one port per cluster, where N workers could not share one.
 */
export class SofaTracerAgentBoot {
  private server: ClusterMetricsServer | undefined;

  constructor(private readonly agent: EggAppLike & WithMessenger) {}

  /** egg: the configuration is final; an invalid one fails the agent's start-up too. */
  configDidLoad(): void {
    validateEggConfig(this.agent.config.sofaTracer);
  }

  /** egg: the agent's files are loaded. */
  async didLoad(): Promise<void> {
    const lc = lookoutConfigOf(validateEggConfig(this.agent.config.sofaTracer));
    if (lc === undefined || this.agent.messenger === undefined) return;
    this.server = new ClusterMetricsServer(this.agent.messenger, {
      port: lc.port ?? DEFAULT_METRICS_PORT,
      host: lc.host,
      path: lc.path,
      timeoutMs: lc.scrapeTimeoutMs,
    });
    const address = await this.server.listen();
    this.agent.coreLogger?.info(
      '[sofaTracer] cluster metrics on %s:%d%s',
      address.address,
      address.port,
      lc.path ?? '/metrics',
    );
  }

  /** egg: the agent is closing. */
  async beforeClose(): Promise<void> {
    await this.server?.close();
  }
}
