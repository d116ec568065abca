import { ConfigError, type HttpServerTracingOptions, type TracerOptions } from '@sofa-tracer/core';
import type { InstrumentHttpClientsOptions } from '@sofa-tracer/http-client';
import type { LookoutOptions } from '@sofa-tracer/lookout';

/** `config.sofaTracer.lookout`: Lookout metrics of every worker, served as one `/metrics` by the agent. */
export interface EggLookoutConfig extends Omit<LookoutOptions, 'tracer' | 'port'> {
  /** Port of the agent's aggregated `/metrics` (default 9494; 0 = any free port). */
  port?: number;
  /** How long a scrape waits for the workers' answers, ms (default 2000). */
  scrapeTimeoutMs?: number;
}

/**
 * `config.sofaTracer` of an egg app. Every core `TracerOptions` field (`logDir`, `samplerPercentage`,
 * …; `appName` defaults to egg's `app.name`), the HTTP server options shared with express and koa,
 * and the egg switches below. egg's own middleware keys (`enable`, `match`, `ignore`) work too.
 */
export interface SofaTracerEggConfig
  extends
    TracerOptions,
    Pick<HttpServerTracingOptions, 'ignorePaths' | 'extractFormats' | 'redactQuery' | 'customTags'> {
  /**
   * Trace `app.httpclient` / `ctx.curl` (and every other HTTP client of the worker) through
   * `@sofa-tracer/http-client`: `true` (default), `false`, or that package's options.
   */
  httpClient?: boolean | Omit<InstrumentHttpClientsOptions, 'tracer'>;
  /** One root span per egg-schedule task run, in `biz-digest.log`. Default true. */
  schedule?: boolean;
  /**
   * Lookout metrics (`@sofa-tracer/lookout`) in every app worker, aggregated by the agent into
   * one `/metrics` for the whole cluster: `true` (port 9494) or options. Default off.
   */
  lookout?: boolean | EggLookoutConfig;
}

/** Keys of `config.sofaTracer` that are not the tracer's (the plugin's, and egg's middleware keys). */
const NOT_TRACER_KEYS: ReadonlySet<string> = new Set([
  'ignorePaths',
  'extractFormats',
  'redactQuery',
  'customTags',
  'httpClient',
  'schedule',
  'lookout',
  'enable',
  'match',
  'ignore',
  'core',
]);

/** The tracer's share of `config.sofaTracer`, with egg's app name as the default `appName`. */
export function tracerOptionsOf(config: SofaTracerEggConfig, appName: string | undefined): TracerOptions {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(config))
    if (!NOT_TRACER_KEYS.has(key)) out[key] = (config as Record<string, unknown>)[key];
  // an explicit option or SOFA_TRACER_APP_NAME wins over egg's package name
  if (out.appName === undefined && process.env.SOFA_TRACER_APP_NAME === undefined && appName)
    out.appName = appName;
  return out as TracerOptions;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Checks the plugin's own keys of `config.sofaTracer` (core checks the tracer's): a wrong value
 * fails egg's start-up with an error naming `sofaTracer.<key>` and what is accepted.
 */
export function validateEggConfig(config: unknown): SofaTracerEggConfig {
  if (config === undefined || config === null) return {};
  if (!isPlainObject(config)) throw new ConfigError('sofaTracer', config, 'an object (config.sofaTracer)');
  const c = config;
  if (c.httpClient !== undefined && typeof c.httpClient !== 'boolean' && !isPlainObject(c.httpClient))
    throw new ConfigError(
      'sofaTracer.httpClient',
      c.httpClient,
      'true, false or @sofa-tracer/http-client options',
    );
  if (c.lookout !== undefined && typeof c.lookout !== 'boolean' && !isPlainObject(c.lookout))
    throw new ConfigError('sofaTracer.lookout', c.lookout, 'true, false or @sofa-tracer/lookout options');
  if (isPlainObject(c.lookout) && c.lookout.port !== undefined) {
    const port = c.lookout.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)
      throw new ConfigError('sofaTracer.lookout.port', port, 'a port number 0-65535');
  }
  if (c.schedule !== undefined && typeof c.schedule !== 'boolean')
    throw new ConfigError('sofaTracer.schedule', c.schedule, 'true or false');
  const ip = c.ignorePaths;
  if (
    ip !== undefined &&
    typeof ip !== 'function' &&
    !(Array.isArray(ip) && ip.every((p) => typeof p === 'string' || p instanceof RegExp))
  )
    throw new ConfigError(
      'sofaTracer.ignorePaths',
      ip,
      'an array of paths and RegExps, or a function (path, req)',
    );
  if (c.customTags !== undefined && typeof c.customTags !== 'function')
    throw new ConfigError('sofaTracer.customTags', c.customTags, 'a function (req) returning tags');
  if (c.extractFormats !== undefined && !Array.isArray(c.extractFormats))
    throw new ConfigError(
      'sofaTracer.extractFormats',
      c.extractFormats,
      'an array of sofa-b3, sftc, w3c, b3',
    );
  return c as SofaTracerEggConfig;
}

/** `config.sofaTracer.lookout` as an options object, or undefined when off. */
export function lookoutConfigOf(config: SofaTracerEggConfig): EggLookoutConfig | undefined {
  const l = config.lookout;
  if (l === undefined || l === false) return undefined;
  return l === true ? {} : l;
}
