import type { PropagationFormat } from '../propagation/codec';
import type { RollingPolicy } from '../log/log-writer';
import type { SpanListener } from '../reporting/span-listener';
import type { Sampler, SamplerFunction } from '../sampling/sampler';

/**
 * Options of `init()` / `createTracer()`. Every option also has an environment variable
 * (`SOFA_TRACER_*`) and, where Java SOFATracer has one, a Java property of the same meaning;
 * resolution order: this object → environment → default.
 */
export interface TracerOptions {
  /** `local.app`. Env `SOFA_TRACER_APP_NAME`; Java `spring.application.name`. Default: `name` of the main module's package.json. */
  appName?: string;
  /** Log root; files go under `<logDir>/tracelog/`. Env `SOFA_TRACER_LOGGING_PATH` (Java's name); Java `logging.path`. Default `~/logs`. */
  logDir?: string;
  /** Put files under `tracelog/<pid>/`. Env `SOFA_TRACER_LOG_PER_PID`. Default false. */
  logPerPid?: boolean;
  /** `daily` or `hourly`. Env `SOFA_TRACER_ROLLING_POLICY`; Java `tracer_global_rolling_policy` (`.yyyy-MM-dd` / `.yyyy-MM-dd_HH` accepted too). Default daily. */
  rollingPolicy?: RollingPolicy;
  /** Per-file rolling, keyed by file name (`express-digest.log`). Env `SOFA_TRACER_LOG_ROLLING` as `file=policy,…`; Java `<log>_rolling`. */
  logRolling?: Record<string, RollingPolicy>;
  /** Retention of rolled files: days (`7`) or Java's `NDMH` form (`2D12H`). Env `SOFA_TRACER_LOG_RESERVE_DAY`; Java `tracer_global_log_reserve_day`. Default 7. */
  logReserveDays?: number | string;
  /** Per-file retention, keyed by file name. Env `SOFA_TRACER_LOG_RESERVE` as `file=value,…`; Java `<log>_log_reserve_day`. */
  logReserve?: Record<string, number | string>;
  /** Stat log interval in seconds (fractions allowed). Env `SOFA_TRACER_STAT_LOG_INTERVAL`; Java `stat_log_interval`. Default 60. */
  statLogInterval?: number;
  /** Max stat keys kept per interval before the map is cleared (reported). Env `SOFA_TRACER_STAT_KEY_LIMIT`. Default 5000. */
  statKeyLimit?: number;
  /** Max encoded length of biz baggage. Env `SOFA_TRACER_PENETRATE_ATTRIBUTE_MAX_LENGTH`; Java `tracer_penetrate_attribute_max_length`. Default 1024. */
  baggageMaxLength?: number;
  /** Max encoded length of sys baggage. Env `SOFA_TRACER_SYSTEM_PENETRATE_ATTRIBUTE_MAX_LENGTH`; Java `tracer_system_penetrate_attribute_max_length`. Default 1024. */
  sysBaggageMaxLength?: number;
  /** Percentage of new traces sampled (0–100). Env `SOFA_TRACER_SAMPLER_PERCENTAGE`; Java `tracer_sampler_strategy_percentage_key`. Default 100. */
  samplerPercentage?: number;
  /** A custom sampler; takes priority over the percentage (Java `tracer_sampler_strategy_custom_rule_class_name`). */
  sampler?: Sampler | SamplerFunction;
  /**
   * The clock (epoch ms) log files roll and expire by, and stat and self-log lines are stamped
   * with, e.g. `() => Date.now() + offset` for a drill of the hour or day boundary. Span times
   * are not affected. No env. Default `Date.now`.
   */
  logClock?: () => number;
  /** JSON digest/stat lines (true) or Java's legacy comma format. Env `SOFA_TRACER_JSON_OUTPUT`; Java `global_json_format_output`. Default true. */
  jsonOutput?: boolean;
  /** Turn off every digest log (stats are still written). Env `SOFA_TRACER_DISABLE_DIGEST_LOG`; Java `disable_middleware_digest_log`. Default false. */
  disableDigestLog?: boolean;
  /** Log types whose digest log is off, e.g. `['httpclient']`. Env `SOFA_TRACER_DISABLED_DIGEST_LOGS` (comma list); Java `disable_digest_log`. */
  disabledDigestLogs?: string[];
  /** Lines each log file may queue before dropping. Env `SOFA_TRACER_ASYNC_QUEUE_CAPACITY`. Default 8192. */
  asyncQueueCapacity?: number;
  /** Report drops every N. Env `SOFA_TRACER_DISCARD_OUT_THRESHOLD`; Java `tracer_async_appender_discard_out_threshold`. Default 500. */
  discardOutThreshold?: number;
  /** Also self-log the ids of dropped lines. Env `SOFA_TRACER_LOG_DISCARDED_IDS`; Java `tracer_async_appender_is_out_discard_id`. Default false. */
  logDiscardedIds?: boolean;
  /** Formats written by `inject`. Env `SOFA_TRACER_PROPAGATION_INJECT` (comma list). Default `sofa-b3,w3c`. */
  propagationInject?: PropagationFormat[];
  /** Formats read by `extract`, in order; the first valid wins. Env `SOFA_TRACER_PROPAGATION_EXTRACT`. Default `sofa-b3,sftc,w3c,b3`. */
  propagationExtract?: PropagationFormat[];
  /** Line terminator: `crlf` (Java's) or `lf`. Env `SOFA_TRACER_LINE_SEPARATOR`. Default crlf. */
  lineSeparator?: 'crlf' | 'lf';
  /** Zone written to static-info.log. Env `SOFA_TRACER_ZONE` (also `ZONE`). Default `""`. */
  zone?: string;
  /** Flush and close on SIGTERM/SIGINT/beforeExit. Env `SOFA_TRACER_SHUTDOWN_HOOKS`. Default false. */
  shutdownHooks?: boolean;
  /** Span listeners registered at start. */
  listeners?: SpanListener[];
}

/** Options after resolution: every field set and validated. */
export interface ResolvedConfig {
  readonly appName: string;
  /** `<logDir>/tracelog[/<pid>]`. */
  readonly traceLogDir: string;
  readonly rollingPolicy: RollingPolicy;
  readonly logRolling: Readonly<Record<string, RollingPolicy>>;
  readonly retentionMs: number;
  readonly logRetentionMs: Readonly<Record<string, number>>;
  readonly statLogIntervalMs: number;
  readonly statKeyLimit: number;
  readonly baggageMaxLength: number;
  readonly sysBaggageMaxLength: number;
  readonly samplerPercentage: number;
  readonly sampler: Sampler | SamplerFunction | undefined;
  readonly logClock: (() => number) | undefined;
  readonly jsonOutput: boolean;
  readonly disableDigestLog: boolean;
  readonly disabledDigestLogs: readonly string[];
  readonly asyncQueueCapacity: number;
  readonly discardOutThreshold: number;
  readonly logDiscardedIds: boolean;
  readonly propagationInject: readonly PropagationFormat[];
  readonly propagationExtract: readonly PropagationFormat[];
  readonly lineSeparator: string;
  readonly zone: string;
  readonly shutdownHooks: boolean;
  readonly listeners: readonly SpanListener[];
}
