import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { RollingPolicy } from '../log/log-writer';
import { parseRetention } from '../log/retention';
import { PROPAGATION_FORMATS, type PropagationFormat } from '../propagation/codec';
import { appNameFromPackageJson } from './app-name';
import { ConfigError } from './config-error';
import { readBoolean, readEnum, readList, readMap, readNumber } from './env-parsers';
import type { ResolvedConfig, TracerOptions } from './options';

const ROLLING: readonly RollingPolicy[] = ['daily', 'hourly'];
// Java's property takes the date pattern itself.
const ROLLING_ALIASES: Readonly<Record<string, RollingPolicy>> = {
  '.yyyy-MM-dd': 'daily',
  '.yyyy-MM-dd_HH': 'hourly',
  'yyyy-MM-dd': 'daily',
  'yyyy-MM-dd_HH': 'hourly',
};

const KNOWN_OPTIONS = new Set<string>([
  'appName',
  'logDir',
  'logPerPid',
  'rollingPolicy',
  'logRolling',
  'logReserveDays',
  'logReserve',
  'statLogInterval',
  'statKeyLimit',
  'baggageMaxLength',
  'sysBaggageMaxLength',
  'samplerPercentage',
  'sampler',
  'logClock',
  'jsonOutput',
  'disableDigestLog',
  'disabledDigestLogs',
  'asyncQueueCapacity',
  'discardOutThreshold',
  'logDiscardedIds',
  'propagationInject',
  'propagationExtract',
  'lineSeparator',
  'zone',
  'shutdownHooks',
  'listeners',
]);

/**
 * Resolves options → environment → defaults and validates everything, so a bad value fails at
 * start-up with a `ConfigError` naming the option and the accepted values.
 */
export function resolveConfig(
  options: TracerOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConfig {
  if (options === null || typeof options !== 'object') throw new ConfigError('options', options, 'an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key))
      throw new ConfigError(`option name "${key}"`, key, [...KNOWN_OPTIONS].join(', '));
  }

  const appName = resolveAppName(options.appName, env.SOFA_TRACER_APP_NAME);
  const logDirRaw = firstNonBlank(options.logDir, env.SOFA_TRACER_LOGGING_PATH) ?? join(homedir(), 'logs');
  if (typeof logDirRaw !== 'string') throw new ConfigError('logDir', logDirRaw, 'a directory path');
  const logPerPid = readBoolean('logPerPid', options.logPerPid, env.SOFA_TRACER_LOG_PER_PID, false);
  const root = isAbsolute(logDirRaw) ? logDirRaw : resolve(logDirRaw);
  const traceLogDir = logPerPid ? join(root, 'tracelog', String(process.pid)) : join(root, 'tracelog');

  const rollingPolicy = readEnum(
    'rollingPolicy',
    options.rollingPolicy,
    env.SOFA_TRACER_ROLLING_POLICY,
    'daily',
    ROLLING,
    ROLLING_ALIASES,
  );
  const logRolling: Record<string, RollingPolicy> = {};
  for (const [file, v] of Object.entries(
    readMap('logRolling', options.logRolling, env.SOFA_TRACER_LOG_ROLLING),
  )) {
    logRolling[file] = readEnum(`logRolling.${file}`, v, undefined, 'daily', ROLLING, ROLLING_ALIASES);
  }
  const retentionMs = retention(
    'logReserveDays',
    options.logReserveDays ?? blankToUndefined(env.SOFA_TRACER_LOG_RESERVE_DAY) ?? 7,
  );
  const logRetentionMs: Record<string, number> = {};
  for (const [file, v] of Object.entries(
    readMap('logReserve', options.logReserve, env.SOFA_TRACER_LOG_RESERVE),
  )) {
    logRetentionMs[file] = retention(`logReserve.${file}`, v);
  }

  const statSeconds = readNumber(
    'statLogInterval',
    options.statLogInterval,
    env.SOFA_TRACER_STAT_LOG_INTERVAL,
    60,
    0.01,
    86400,
    false,
  );
  const sampler = options.sampler;
  if (
    sampler !== undefined &&
    typeof sampler !== 'function' &&
    (typeof sampler !== 'object' || typeof sampler.sample !== 'function')
  ) {
    throw new ConfigError(
      'sampler',
      sampler,
      'a function (input) => boolean | { sampled, tags }, or an object with sample()',
    );
  }
  const logClock = options.logClock;
  if (logClock !== undefined && typeof logClock !== 'function')
    throw new ConfigError('logClock', logClock, 'a function () => epoch milliseconds');
  const listeners = options.listeners ?? [];
  if (!Array.isArray(listeners) || listeners.some((l) => !l || typeof l.onSpanReport !== 'function')) {
    throw new ConfigError('listeners', listeners, 'an array of objects with onSpanReport(span)');
  }
  const zone = firstNonBlank(options.zone, env.SOFA_TRACER_ZONE, env.ZONE) ?? '';
  if (typeof zone !== 'string') throw new ConfigError('zone', zone, 'a string');

  return Object.freeze({
    appName,
    traceLogDir,
    rollingPolicy,
    logRolling: Object.freeze(logRolling),
    retentionMs,
    logRetentionMs: Object.freeze(logRetentionMs),
    statLogIntervalMs: Math.round(statSeconds * 1000),
    statKeyLimit: readNumber(
      'statKeyLimit',
      options.statKeyLimit,
      env.SOFA_TRACER_STAT_KEY_LIMIT,
      5000,
      1,
      1_000_000,
      true,
    ),
    baggageMaxLength: readNumber(
      'baggageMaxLength',
      options.baggageMaxLength,
      env.SOFA_TRACER_PENETRATE_ATTRIBUTE_MAX_LENGTH,
      1024,
      0,
      1_048_576,
      true,
    ),
    sysBaggageMaxLength: readNumber(
      'sysBaggageMaxLength',
      options.sysBaggageMaxLength,
      env.SOFA_TRACER_SYSTEM_PENETRATE_ATTRIBUTE_MAX_LENGTH,
      1024,
      0,
      1_048_576,
      true,
    ),
    samplerPercentage: readNumber(
      'samplerPercentage',
      options.samplerPercentage,
      env.SOFA_TRACER_SAMPLER_PERCENTAGE,
      100,
      0,
      100,
      false,
    ),
    sampler,
    logClock,
    jsonOutput: readBoolean('jsonOutput', options.jsonOutput, env.SOFA_TRACER_JSON_OUTPUT, true),
    disableDigestLog: readBoolean(
      'disableDigestLog',
      options.disableDigestLog,
      env.SOFA_TRACER_DISABLE_DIGEST_LOG,
      false,
    ),
    disabledDigestLogs: readList(
      'disabledDigestLogs',
      options.disabledDigestLogs,
      env.SOFA_TRACER_DISABLED_DIGEST_LOGS,
      [],
      undefined,
    ),
    asyncQueueCapacity: readNumber(
      'asyncQueueCapacity',
      options.asyncQueueCapacity,
      env.SOFA_TRACER_ASYNC_QUEUE_CAPACITY,
      8192,
      1,
      10_000_000,
      true,
    ),
    discardOutThreshold: readNumber(
      'discardOutThreshold',
      options.discardOutThreshold,
      env.SOFA_TRACER_DISCARD_OUT_THRESHOLD,
      500,
      1,
      1_000_000_000,
      true,
    ),
    logDiscardedIds: readBoolean(
      'logDiscardedIds',
      options.logDiscardedIds,
      env.SOFA_TRACER_LOG_DISCARDED_IDS,
      false,
    ),
    propagationInject: readList<PropagationFormat>(
      'propagationInject',
      options.propagationInject,
      env.SOFA_TRACER_PROPAGATION_INJECT,
      ['sofa-b3', 'w3c'],
      PROPAGATION_FORMATS,
    ),
    propagationExtract: readList<PropagationFormat>(
      'propagationExtract',
      options.propagationExtract,
      env.SOFA_TRACER_PROPAGATION_EXTRACT,
      PROPAGATION_FORMATS,
      PROPAGATION_FORMATS,
    ),
    lineSeparator:
      readEnum('lineSeparator', options.lineSeparator, env.SOFA_TRACER_LINE_SEPARATOR, 'crlf', [
        'crlf',
        'lf',
      ] as const) === 'crlf'
        ? '\r\n'
        : '\n',
    zone,
    shutdownHooks: readBoolean('shutdownHooks', options.shutdownHooks, env.SOFA_TRACER_SHUTDOWN_HOOKS, false),
    listeners: Object.freeze([...listeners]),
  });
}

function resolveAppName(option: unknown, env: string | undefined): string {
  if (option !== undefined && (typeof option !== 'string' || !option.trim())) {
    throw new ConfigError('appName', option, 'a non-empty string');
  }
  const name = firstNonBlank(option as string | undefined, env) ?? appNameFromPackageJson();
  if (!name) {
    throw new ConfigError(
      'appName',
      undefined,
      'a non-empty string: pass init({ appName: "my-app" }), set SOFA_TRACER_APP_NAME, or give the main module\'s package.json a "name"',
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\r\n\u0000-\u001f]/.test(name))
    throw new ConfigError('appName', name, 'a name without control characters');
  return name.trim();
}

function retention(name: string, value: unknown): number {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new ConfigError(name, value, 'days as a number ("7") or Java\'s NDMH form ("2D12H")');
  }
  try {
    return parseRetention(value);
  } catch {
    throw new ConfigError(name, value, 'days as a number ("7") or Java\'s NDMH form ("2D12H", "1D", "30M")');
  }
}

function blankToUndefined(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function firstNonBlank(...values: (string | undefined)[]): string | undefined {
  for (const v of values) {
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') return v;
    if (v.trim() !== '') return v;
  }
  return undefined;
}
