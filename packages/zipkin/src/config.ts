import { isIPv4 } from 'node:net';
import { ConfigError, readBoolean, readNumber, type SelfLog, type Tracer } from '@sofa-tracer/core';

/**
 * Options of {@link enableZipkin} / {@link zipkinReporter}. Each falls back to an environment
 * variable, then a default; Java SOFATracer's property (`com.alipay.sofa.tracer.zipkin.*`) is
 * named where one exists.
 */
export interface ZipkinOptions {
  /** Collector root; spans go to `<baseUrl>/api/v2/spans`. Env `SOFA_TRACER_ZIPKIN_BASE_URL`; Java `com.alipay.sofa.tracer.zipkin.baseUrl`. Default `http://localhost:9411`. */
  baseUrl?: string;
  /** Report at all. Env `SOFA_TRACER_ZIPKIN_ENABLED`; Java `com.alipay.sofa.tracer.zipkin.enabled`. Default true (calling enableZipkin is the opt-in). */
  enabled?: boolean;
  /** gzip request bodies. Env `SOFA_TRACER_ZIPKIN_GZIPPED`; Java `com.alipay.sofa.tracer.zipkin.gzipped`. Default false. */
  gzip?: boolean;
  /** Max spans waiting to be sent; past it new spans are dropped (counted). Env `SOFA_TRACER_ZIPKIN_QUEUE_SPANS`. Default 10000 (Java's queue). */
  maxQueueSpans?: number;
  /** Max encoded bytes waiting to be sent. Env `SOFA_TRACER_ZIPKIN_QUEUE_BYTES`. Default 8 MiB. */
  maxQueueBytes?: number;
  /** Max bytes of one POST body (before gzip). Env `SOFA_TRACER_ZIPKIN_MESSAGE_MAX_BYTES`. Default 2 MiB (Java's). */
  maxMessageBytes?: number;
  /** Max wait before a partial batch is sent, ms. Env `SOFA_TRACER_ZIPKIN_FLUSH_INTERVAL_MS`. Default 1000 (Java's message timeout). */
  flushIntervalMs?: number;
  /** Per-request timeout (connect + answer), ms. Env `SOFA_TRACER_ZIPKIN_TIMEOUT_MS`. Default 5000. */
  timeoutMs?: number;
  /** Retries of a batch after a 5xx/429, a timeout or a connection error. Env `SOFA_TRACER_ZIPKIN_MAX_RETRIES`. Default 2. */
  maxRetries?: number;
  /** First retry delay, ms; doubles each retry (capped at 30 s, ±20 % jitter). Env `SOFA_TRACER_ZIPKIN_RETRY_BACKOFF_MS`. Default 500. */
  retryBackoffMs?: number;
  /** How long `close()` may spend flushing, ms. Env `SOFA_TRACER_ZIPKIN_CLOSE_TIMEOUT_MS`. Default 3000. */
  closeTimeoutMs?: number;
  /** Rate limit of the drop/failure reports in tracer-self.log, ms. Env `SOFA_TRACER_ZIPKIN_REPORT_INTERVAL_MS`. Default 10000. */
  reportIntervalMs?: number;
  /** `localEndpoint.ipv4`; default core's local IPv4 (the one in trace ids). */
  localIpv4?: string;
  /** The tracer to listen to (enableZipkin); default the running core tracer, created if needed. */
  tracer?: Tracer;
  /** Where failures and drops are reported; default the tracer's tracer-self.log. */
  selfLog?: SelfLog;
}

/** Options after env and defaults. */
export interface ResolvedZipkinConfig {
  readonly baseUrl: string;
  /** `<baseUrl>/api/v2/spans`. */
  readonly endpoint: URL;
  readonly enabled: boolean;
  readonly gzip: boolean;
  readonly maxQueueSpans: number;
  readonly maxQueueBytes: number;
  readonly maxMessageBytes: number;
  readonly flushIntervalMs: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly retryBackoffMs: number;
  readonly closeTimeoutMs: number;
  readonly reportIntervalMs: number;
}

const KNOWN = new Set<string>([
  'baseUrl',
  'enabled',
  'gzip',
  'maxQueueSpans',
  'maxQueueBytes',
  'maxMessageBytes',
  'flushIntervalMs',
  'timeoutMs',
  'maxRetries',
  'retryBackoffMs',
  'closeTimeoutMs',
  'reportIntervalMs',
  'localIpv4',
  'tracer',
  'selfLog',
]);

const MIB = 1024 * 1024;

/** Options → `SOFA_TRACER_ZIPKIN_*` env → defaults; a bad value throws a core `ConfigError`. */
export function resolveZipkinConfig(
  options: ZipkinOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedZipkinConfig {
  if (options === null || typeof options !== 'object')
    throw new ConfigError('zipkin options', options, 'an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new ConfigError(`zipkin option name "${key}"`, key, [...KNOWN].join(', '));
  }
  if (
    options.localIpv4 !== undefined &&
    !(typeof options.localIpv4 === 'string' && isIPv4(options.localIpv4))
  )
    throw new ConfigError('localIpv4', options.localIpv4, 'a dotted IPv4 address such as "10.0.0.7"');
  const rawUrl = options.baseUrl ?? nonBlank(env.SOFA_TRACER_ZIPKIN_BASE_URL) ?? 'http://localhost:9411';
  const endpoint = spansEndpoint(rawUrl);
  const num = (name: keyof ZipkinOptions, envName: string, def: number, min: number, max: number) =>
    readNumber(name, options[name], env[envName], def, min, max, true);
  const maxMessageBytes = num(
    'maxMessageBytes',
    'SOFA_TRACER_ZIPKIN_MESSAGE_MAX_BYTES',
    2 * MIB,
    1024,
    64 * MIB,
  );
  const maxQueueBytes = num('maxQueueBytes', 'SOFA_TRACER_ZIPKIN_QUEUE_BYTES', 8 * MIB, 1024, 1024 * MIB);
  return Object.freeze({
    baseUrl: rawUrl,
    endpoint,
    enabled: readBoolean('enabled', options.enabled, env.SOFA_TRACER_ZIPKIN_ENABLED, true),
    gzip: readBoolean('gzip', options.gzip, env.SOFA_TRACER_ZIPKIN_GZIPPED, false),
    maxQueueSpans: num('maxQueueSpans', 'SOFA_TRACER_ZIPKIN_QUEUE_SPANS', 10_000, 1, 10_000_000),
    maxQueueBytes,
    maxMessageBytes,
    flushIntervalMs: num('flushIntervalMs', 'SOFA_TRACER_ZIPKIN_FLUSH_INTERVAL_MS', 1000, 1, 600_000),
    timeoutMs: num('timeoutMs', 'SOFA_TRACER_ZIPKIN_TIMEOUT_MS', 5000, 1, 600_000),
    maxRetries: num('maxRetries', 'SOFA_TRACER_ZIPKIN_MAX_RETRIES', 2, 0, 100),
    retryBackoffMs: num('retryBackoffMs', 'SOFA_TRACER_ZIPKIN_RETRY_BACKOFF_MS', 500, 0, 600_000),
    closeTimeoutMs: num('closeTimeoutMs', 'SOFA_TRACER_ZIPKIN_CLOSE_TIMEOUT_MS', 3000, 0, 600_000),
    reportIntervalMs: num('reportIntervalMs', 'SOFA_TRACER_ZIPKIN_REPORT_INTERVAL_MS', 10_000, 0, 86_400_000),
  });
}

/** `<baseUrl>/api/v2/spans` (Java's rule: one slash between them). */
function spansEndpoint(baseUrl: unknown): URL {
  const accepted = 'an http(s) URL such as "http://zipkin:9411"';
  if (typeof baseUrl !== 'string' || baseUrl.trim() === '')
    throw new ConfigError('baseUrl', baseUrl, accepted);
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new ConfigError('baseUrl', baseUrl, accepted);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError('baseUrl', baseUrl, accepted);
  url.search = '';
  url.hash = '';
  url.pathname = url.pathname.replace(/\/+$/, '') + '/api/v2/spans';
  return url;
}

function nonBlank(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}
