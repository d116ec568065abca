import { traceScheduleTasks, type ScheduleAppLike } from './schedule';
import { eggTracerState, startEggTracer, stopEggTracer, type EggAppLike } from './state';

/** The middleware name egg derives from `app/middleware/sofa_tracer.js`. */
export const MIDDLEWARE_NAME = 'sofaTracer';

/**
 * The plugin's `app.js` boot class (egg's lifecycle): puts the middleware first in
 * `coreMiddleware` (so the span covers egg's own middlewares: static, body parser, security…),
 * starts the tracer when the configuration is loaded (failing start-up on invalid options), wraps
 * the schedule tasks once they are loaded, and flushes/closes on `beforeClose`.
 */
export class SofaTracerAppBoot {
  constructor(private readonly app: EggAppLike & ScheduleAppLike) {}

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
  }

  /** egg: the app is closing; spans finished so far reach the disk. */
  async beforeClose(): Promise<void> {
    await stopEggTracer(this.app);
  }
}
