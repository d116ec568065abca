import type { IncomingMessage } from 'node:http';
import type {
  IgnorePaths,
  PropagationFormat,
  QueryRedaction,
  TagValue,
  Tracer,
  TracerOptions,
} from '@sofa-tracer/core';

/**
 * Options of `SofaTracerModule.forRoot()`. Besides the fields below, every core `TracerOptions`
 * field (`appName`, `logDir`, …) is accepted and used when the module creates the global tracer
 * (when one is already running it is used as is and these are ignored).
 */
export interface SofaTracerNestOptions extends TracerOptions {
  /** Use this tracer instead of the global one (tests, several tracers in one process). */
  tracer?: Tracer;
  /** Requests that get no span (health checks): exact paths, RegExps, or a predicate `(path, req)`. */
  ignorePaths?: IgnorePaths;
  /** Trace header formats accepted from clients (`sofa-b3`, `sftc`, `w3c`, `b3`); default: all the tracer extracts. */
  extractFormats?: readonly PropagationFormat[];
  /** Query string in `request.url`: `true` (default) drops it; `false` keeps it; a list of names masks those values. */
  redactQuery?: QueryRedaction;
  /** Extra span tags from the request (the Node `IncomingMessage`), set when the span starts. */
  customTags?: (req: IncomingMessage) => Record<string, TagValue> | undefined | void;
}

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

const PLUGIN_KEYS: readonly string[] = [
  'tracer',
  'ignorePaths',
  'extractFormats',
  'redactQuery',
  'customTags',
];

/** The core tracer options among the module options. */
export function tracerOptionsOf(options: SofaTracerNestOptions): TracerOptions {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(options))
    if (!PLUGIN_KEYS.includes(key)) out[key] = (options as Record<string, unknown>)[key];
  return out as TracerOptions;
}

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
