import type { IncomingMessage } from 'node:http';
import type { TracerOptions } from '../config/options';
import type { LogTypeDefinition } from '../log-types/log-type';
import type { PropagationFormat } from '../propagation/codec';
import type { TagValue } from '../span/readable-span';
import { resolveTracer } from '../tracer/global';
import type { Tracer } from '../tracer/types';
import { HttpServerTracing, type HttpServerTracingOptions, type IgnorePaths } from './server';
import type { QueryRedaction } from './url';

/**
 * Options every HTTP server framework plugin accepts (express, fastify, koa, …): the plugin's own
 * keys below, and every core `TracerOptions` field (`appName`, `logDir`, …), used when the plugin
 * creates the global tracer (when one is already running, it is used as is and those are ignored).
 */
export interface HttpServerPluginOptions extends TracerOptions {
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

/** Option keys of {@link HttpServerPluginOptions} that belong to the plugin, not to the tracer. */
export const HTTP_SERVER_PLUGIN_KEYS: readonly string[] = [
  'tracer',
  'ignorePaths',
  'extractFormats',
  'redactQuery',
  'customTags',
];

/**
 * What a framework plugin does at start-up: take the given tracer or the running global one (or
 * create it from the tracer options, throwing a `ConfigError` for invalid ones — at start-up,
 * never per request), register the plugin's log type, and build its {@link HttpServerTracing}.
 *
 * @param wiring the framework's own hook (koa: the route of responses closed before its
 *   middleware chain settled), see {@link HttpServerTracingOptions.beforeFinish}.
 */
export function httpServerTracingFor(
  options: HttpServerPluginOptions,
  logType: LogTypeDefinition,
  wiring?: Pick<HttpServerTracingOptions, 'beforeFinish'>,
): HttpServerTracing {
  let tracer = options.tracer;
  if (tracer === undefined) {
    const tracerOptions: Record<string, unknown> = {};
    for (const key of Object.keys(options))
      if (!HTTP_SERVER_PLUGIN_KEYS.includes(key))
        tracerOptions[key] = (options as Record<string, unknown>)[key];
    tracer = resolveTracer(tracerOptions as TracerOptions);
  }
  tracer.registerLogType(logType);
  return new HttpServerTracing(tracer, {
    logType: logType.name,
    ignorePaths: options.ignorePaths,
    extractFormats: options.extractFormats,
    redactQuery: options.redactQuery,
    customTags: options.customTags,
    beforeFinish: wiring?.beforeFinish,
  });
}
