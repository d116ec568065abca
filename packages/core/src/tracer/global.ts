import { resolveConfig } from '../config/resolve-config';
import type { TracerOptions } from '../config/options';
import { SofaTracer, type TracerInternals } from './sofa-tracer';

let globalTracer: SofaTracer | undefined;

/**
 * Creates the process-wide tracer (options → `SOFA_TRACER_*` env → defaults) and returns it.
 * Called again while a tracer runs, it returns that tracer (and notes it in tracer-self.log);
 * after `close()`, it creates a new one. Throws a `ConfigError` for invalid options.
 */
export function init(options: TracerOptions = {}): SofaTracer {
  if (globalTracer && !globalTracer.closed) {
    if (Object.keys(options).length)
      globalTracer.selfLog.info(
        'init() called again: the tracer already running is kept, new options ignored',
      );
    return globalTracer;
  }
  globalTracer = new SofaTracer(resolveConfig(options));
  return globalTracer;
}

/** The process-wide tracer; throws (saying how to fix it) when `init()` has not run. */
export function getTracer(): SofaTracer {
  if (!globalTracer || globalTracer.closed) {
    throw new Error(
      'sofa-tracer: no tracer yet; call init({ appName: "my-app" }) first (or register a plugin that does)',
    );
  }
  return globalTracer;
}

/** The process-wide tracer, or undefined. */
export function tryGetTracer(): SofaTracer | undefined {
  return globalTracer && !globalTracer.closed ? globalTracer : undefined;
}

/** The running tracer, or a new one from `options` (what plugins call). */
export function resolveTracer(options: TracerOptions = {}): SofaTracer {
  return tryGetTracer() ?? init(options);
}

/** A tracer that is not the global one (tests, several apps in one process). */
export function createTracer(options: TracerOptions = {}, internals?: TracerInternals): SofaTracer {
  return new SofaTracer(resolveConfig(options), internals);
}
