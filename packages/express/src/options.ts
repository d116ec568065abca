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
 * Options of `sofaTracer()`. Besides the plugin options below, every core `TracerOptions` field
 * (`appName`, `logDir`, …) is accepted and used when this middleware creates the global tracer
 * (when one is already running, it is used as is and these are ignored).
 */
export interface SofaTracerExpressOptions extends TracerOptions {
  /** Use this tracer instead of the global one (tests, several tracers in one process). */
  tracer?: Tracer;
  /** Requests that get no span (health checks): exact paths, RegExps, or a predicate `(path, req)`. */
  ignorePaths?: IgnorePaths;
  /** Trace header formats accepted from clients (`sofa-b3`, `sftc`, `w3c`, `b3`); default: all the tracer extracts. */
  extractFormats?: readonly PropagationFormat[];
  /**
   * Query string in `request.url`: `true` (default) drops it, as Java's `request.url`; `false`
   * keeps it; a list of parameter names keeps the query with those values replaced by `***`.
   */
  redactQuery?: QueryRedaction;
  /** Extra span tags from the request, set at the start (e.g. a tenant header). */
  customTags?: (req: IncomingMessage) => Record<string, TagValue> | undefined | void;
}

/** Option keys that belong to the plugin, not to the tracer. */
export const PLUGIN_KEYS: readonly string[] = [
  'tracer',
  'ignorePaths',
  'extractFormats',
  'redactQuery',
  'customTags',
];
