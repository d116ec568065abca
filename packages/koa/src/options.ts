import type { HttpServerTracingOptions, Tracer, TracerOptions } from '@sofa-tracer/core';

/**
 * Options of `sofaTracer()`, the same as `@sofa-tracer/express`'s. Besides the plugin options
 * below, every core `TracerOptions` field (`appName`, `logDir`, …) is accepted and used when this
 * middleware creates the global tracer (when one is already running, it is used as is).
 */
export interface KoaTracerOptions
  extends
    TracerOptions,
    Pick<HttpServerTracingOptions, 'ignorePaths' | 'extractFormats' | 'redactQuery' | 'customTags'> {
  /** Use this tracer instead of the global one (tests, several tracers in one process). */
  tracer?: Tracer;
}

/** Option keys that belong to the plugin, not to the tracer. */
const PLUGIN_KEYS: ReadonlySet<string> = new Set([
  'tracer',
  'ignorePaths',
  'extractFormats',
  'redactQuery',
  'customTags',
]);

/** The tracer's share of the options (the plugin's own keys removed). */
export function tracerOptionsOf(options: KoaTracerOptions): TracerOptions {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(options))
    if (!PLUGIN_KEYS.has(key)) out[key] = (options as Record<string, unknown>)[key];
  return out as TracerOptions;
}
