import type { HttpServerPluginOptions } from '@sofa-tracer/core';

/**
 * Options of `SofaTracerModule.forRoot()`: the options every HTTP server plugin takes — `tracer`,
 * `ignorePaths`, `extractFormats`, `redactQuery`, `customTags` (called with Node's request) — and
 * every core `TracerOptions` field (`appName`, `logDir`, …), used when the module creates the
 * global tracer (when one is already running it is used as is and these are ignored).
 */
export type SofaTracerNestOptions = HttpServerPluginOptions;

/** Options of `SofaTracerModule.forRootAsync()`: the options come from a factory with injections. */
export interface SofaTracerNestAsyncOptions {
  /** Modules whose exported providers the factory needs (e.g. `ConfigModule`). */
  imports?: unknown[];
  /** Returns the options; may be async. */
  useFactory: (...args: never[]) => SofaTracerNestOptions | Promise<SofaTracerNestOptions>;
  /** Providers handed to `useFactory`, in order. */
  inject?: unknown[];
}

/** Injection token of the resolved module options. */
export const SOFA_TRACER_NEST_OPTIONS = 'SOFA_TRACER_NEST_OPTIONS';

/** Start-up check: an error naming the option and what it accepts. */
export function checkOptions(options: unknown): SofaTracerNestOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options))
    throw new TypeError('SofaTracerModule: options must be an object such as { appName: "orders" }');
  const o = options as Record<string, unknown>;
  if (o.customTags !== undefined && typeof o.customTags !== 'function')
    throw new TypeError('SofaTracerModule: option "customTags" must be a function (req) => tags');
  const t = o.tracer as { startSpan?: unknown } | undefined;
  if (t !== undefined && (t === null || typeof t.startSpan !== 'function'))
    throw new TypeError('SofaTracerModule: option "tracer" must be a tracer from @sofa-tracer/core');
  return o as SofaTracerNestOptions;
}
