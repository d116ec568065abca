import type * as prom from 'prom-client';
import type { Priority } from './api/id';
import type { LookoutLogger } from './api/types';
import type { GatewayOptions } from './export/gateway';
import type { PushgatewayOptions } from './export/pushgateway';
import type { SpanMetricsOptions } from './spans/span-metrics';
import type { KafkaMetricsOptions } from './kafka/kafka-metrics';

/** The part of the core tracer Lookout uses (a `@sofa-tracer/core` Tracer satisfies it). */
export interface TracerLike {
  readonly appName: string;
  addSpanListener(listener: import('@sofa-tracer/core').SpanListener): void;
  removeSpanListener(listener: import('@sofa-tracer/core').SpanListener): void;
  readonly selfLog?: { warn(message: string): void };
  /** Writer counters per log file (core's `SofaTracer.fileStats()`); feeds the log-file metrics. */
  fileStats?(): Readonly<
    Record<string, { written: number; dropped: number; failed: number; queued: number }>
  >;
}

/**
 * Options of {@link enableLookout}. Each falls back to an environment variable, then a default;
 * the README lists the Java property each one mirrors.
 */
export interface LookoutOptions {
  /** `app` common tag. Env `SOFA_LOOKOUT_APP_NAME`; default the tracer's app name. */
  appName?: string;
  /** The tracer whose spans become metrics; default the running core tracer (created if needed). `false`: no span metrics wiring. */
  tracer?: TracerLike | false;
  /** Port of the /metrics server; `0` = ephemeral; `false` = no server. Env `SOFA_LOOKOUT_PROMETHEUS_PORT` (`false`/`off` disables). Default 9494. */
  port?: number | false;
  /** Bind address. Env `SOFA_LOOKOUT_PROMETHEUS_HOST`. Default all interfaces. */
  host?: string;
  /** Path of the /metrics server. Env `SOFA_LOOKOUT_PROMETHEUS_PATH`. Default `/metrics`. */
  path?: string;
  /** Max Lookout metrics. Env `SOFA_LOOKOUT_MAX_METRICS`. Default 3000. */
  maxMetrics?: number;
  /** `zone` common tag. Env `SOFA_LOOKOUT_ZONE`, then `ZONE`. */
  zone?: string;
  /** `instance_id` common tag. Env `SOFA_LOOKOUT_INSTANCE_ID`, then `INSTANCE_ID`. */
  instanceId?: string;
  /** More common tags. */
  commonTags?: Record<string, string>;
  /** RED metrics from spans; `false` disables. Env `SOFA_LOOKOUT_SPAN_METRICS`, `SOFA_LOOKOUT_STATUS_LABEL`, `SOFA_LOOKOUT_MAX_LABEL_VALUES`. */
  spanMetrics?: boolean | SpanMetricsOptions;
  /** Node runtime metrics. Env `SOFA_LOOKOUT_RUNTIME_METRICS`. Default true. */
  runtimeMetrics?: boolean;
  /**
   * The tracer's log writers as metrics (`sofa_tracer_log_lines_total{file,outcome}`, queue
   * depth), so drops are visible even when the disk holding tracer-self.log fails.
   * Env `SOFA_LOOKOUT_LOG_FILE_METRICS`. Default on.
   */
  logFileMetrics?: boolean;
  /** Kafka metrics from `@sofa-tracer/kafka` (rates, latency, consumer-group lag); `false` disables. Env `SOFA_LOOKOUT_KAFKA_METRICS`. Default true. */
  kafkaMetrics?: boolean | KafkaMetricsOptions;
  /** Push to a Lookout gateway. Env `SOFA_LOOKOUT_GATEWAY_ADDRESS`. Default off. */
  gateway?: GatewayOptions | false;
  /** Push to a Prometheus Pushgateway. Env `SOFA_LOOKOUT_PUSHGATEWAY_URL`, `…_JOB`, `…_INTERVAL_MS`. Default off. */
  pushgateway?: PushgatewayOptions | false;
  /** Step per priority in ms (gateway interval, `max` window). Default high 2000, normal 30000, low 60000. */
  stepMs?: Partial<Record<Priority, number>>;
  /** Default timer buckets, seconds. */
  timerBuckets?: readonly number[];
  /** Export into this prom-client registry instead of a new one. */
  prometheus?: prom.Registry;
  /** Where warnings go; default the tracer's self-log, else `process.emitWarning`. */
  logger?: LookoutLogger;
}

/** Options after env and defaults. */
export interface ResolvedLookoutConfig {
  appName: string | undefined;
  port: number | false;
  host: string | undefined;
  path: string;
  maxMetrics: number;
  zone: string | undefined;
  instanceId: string | undefined;
  spanMetrics: SpanMetricsOptions | false;
  runtimeMetrics: boolean;
  logFileMetrics: boolean;
  kafkaMetrics: KafkaMetricsOptions | false;
  gateway: GatewayOptions | false;
  pushgateway: PushgatewayOptions | false;
}

type Env = Readonly<Record<string, string | undefined>>;

function nonBlank(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

function envBool(env: Env, name: string, warn: (m: string) => void): boolean | undefined {
  const v = nonBlank(env[name])?.toLowerCase();
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1' || v === 'on' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'off' || v === 'no') return false;
  warn(`${name}=${env[name]} is not a boolean; ignored`);
  return undefined;
}

function envInt(
  env: Env,
  name: string,
  min: number,
  max: number,
  warn: (m: string) => void,
): number | undefined {
  const v = nonBlank(env[name]);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  warn(`${name}=${v} is not an integer in [${min}, ${max}]; ignored`);
  return undefined;
}

function checkInt(name: string, v: number | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min || v > max)
    throw new RangeError(
      `sofa-lookout: option ${name} must be an integer in [${min}, ${max}], got ${String(v)}`,
    );
  return v;
}

/** Options → environment → defaults. Invalid options throw; invalid env values are warned about and ignored. */
export function resolveLookoutConfig(
  options: LookoutOptions,
  env: Env,
  warn: (m: string) => void,
): ResolvedLookoutConfig {
  let port: number | false;
  if (options.port === false) port = false;
  else if (options.port !== undefined) port = checkInt('port', options.port, 0, 65535)!;
  else {
    const raw = nonBlank(env.SOFA_LOOKOUT_PROMETHEUS_PORT)?.toLowerCase();
    if (raw === 'false' || raw === 'off' || raw === '-1') port = false;
    else port = envInt(env, 'SOFA_LOOKOUT_PROMETHEUS_PORT', 0, 65535, warn) ?? 9494;
  }

  const spanEnabled =
    options.spanMetrics === false
      ? false
      : options.spanMetrics !== undefined
        ? true
        : (envBool(env, 'SOFA_LOOKOUT_SPAN_METRICS', warn) ?? true);
  let spanMetrics: SpanMetricsOptions | false = false;
  if (spanEnabled) {
    const given: SpanMetricsOptions = typeof options.spanMetrics === 'object' ? options.spanMetrics : {};
    const envStatus = nonBlank(env.SOFA_LOOKOUT_STATUS_LABEL);
    if (envStatus !== undefined && envStatus !== 'code' && envStatus !== 'class')
      warn(`SOFA_LOOKOUT_STATUS_LABEL=${envStatus} is not code|class; ignored`);
    if (given.statusLabel !== undefined && given.statusLabel !== 'code' && given.statusLabel !== 'class') {
      throw new RangeError(
        `sofa-lookout: option spanMetrics.statusLabel must be "code" or "class", got ${String(given.statusLabel)}`,
      );
    }
    spanMetrics = {
      ...given,
      statusLabel: given.statusLabel ?? (envStatus === 'class' ? 'class' : 'code'),
      maxLabelValues:
        checkInt('spanMetrics.maxLabelValues', given.maxLabelValues, 1, 1e6) ??
        envInt(env, 'SOFA_LOOKOUT_MAX_LABEL_VALUES', 1, 1e6, warn) ??
        100,
    };
  }

  let gateway: GatewayOptions | false = false;
  if (options.gateway) gateway = options.gateway;
  else if (options.gateway === undefined && nonBlank(env.SOFA_LOOKOUT_GATEWAY_ADDRESS))
    gateway = { address: nonBlank(env.SOFA_LOOKOUT_GATEWAY_ADDRESS)! };

  let pushgateway: PushgatewayOptions | false = false;
  if (options.pushgateway) pushgateway = options.pushgateway;
  else if (options.pushgateway === undefined && nonBlank(env.SOFA_LOOKOUT_PUSHGATEWAY_URL)) {
    pushgateway = {
      url: nonBlank(env.SOFA_LOOKOUT_PUSHGATEWAY_URL)!,
      jobName: nonBlank(env.SOFA_LOOKOUT_PUSHGATEWAY_JOB),
      intervalMs: envInt(env, 'SOFA_LOOKOUT_PUSHGATEWAY_INTERVAL_MS', 0, 86400000, warn),
    };
  }

  return {
    appName: nonBlank(options.appName) ?? nonBlank(env.SOFA_LOOKOUT_APP_NAME),
    port,
    host: nonBlank(options.host) ?? nonBlank(env.SOFA_LOOKOUT_PROMETHEUS_HOST),
    path: nonBlank(options.path) ?? nonBlank(env.SOFA_LOOKOUT_PROMETHEUS_PATH) ?? '/metrics',
    maxMetrics:
      checkInt('maxMetrics', options.maxMetrics, 0, 1e7) ??
      envInt(env, 'SOFA_LOOKOUT_MAX_METRICS', 0, 1e7, warn) ??
      3000,
    zone: nonBlank(options.zone) ?? nonBlank(env.SOFA_LOOKOUT_ZONE) ?? nonBlank(env.ZONE),
    instanceId:
      nonBlank(options.instanceId) ?? nonBlank(env.SOFA_LOOKOUT_INSTANCE_ID) ?? nonBlank(env.INSTANCE_ID),
    spanMetrics,
    runtimeMetrics: options.runtimeMetrics ?? envBool(env, 'SOFA_LOOKOUT_RUNTIME_METRICS', warn) ?? true,
    logFileMetrics: options.logFileMetrics ?? envBool(env, 'SOFA_LOOKOUT_LOG_FILE_METRICS', warn) ?? true,
    kafkaMetrics: resolveKafkaMetrics(options.kafkaMetrics, env, warn),
    gateway,
    pushgateway,
  };
}

function resolveKafkaMetrics(
  option: LookoutOptions['kafkaMetrics'],
  env: Env,
  warn: (m: string) => void,
): KafkaMetricsOptions | false {
  if (option === false) return false;
  if (option === undefined) return envBool(env, 'SOFA_LOOKOUT_KAFKA_METRICS', warn) === false ? false : {};
  if (option === true) return {};
  if (option === null || typeof option !== 'object')
    throw new RangeError(
      `sofa-lookout: option kafkaMetrics must be a boolean or an options object, got ${String(option)}`,
    );
  checkInt('kafkaMetrics.maxLabelValues', option.maxLabelValues, 1, 1e6);
  return option;
}
