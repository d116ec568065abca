import {
  HTTP_CLIENT_LOG_TYPE,
  resolveConfig,
  resolveTracer,
  tryGetTracer,
  type Tracer,
} from '@sofa-tracer/core';
import { httpClientInstrumentationStats, instrumentHttpClients } from '@sofa-tracer/http-client';
import { EGG_LOG_TYPE } from './log-type';
import { tracerOptionsOf, validateEggConfig, type SofaTracerEggConfig } from './options';

/** What the plugin reads from an egg application (egg 3 and 4; no egg types needed). */
export interface EggAppLike {
  /** egg's app name (`package.json` name): the default `appName`. */
  name?: string;
  config: {
    sofaTracer?: unknown;
    coreMiddleware?: string[];
  };
}

/** The plugin's per-app state, created at start-up by the app boot. */
export interface EggTracerState {
  readonly tracer: Tracer;
  readonly config: SofaTracerEggConfig;
  /** True when the plugin created the process tracer (and so closes it with the app). */
  readonly ownsTracer: boolean;
  /** Restores the HTTP clients, when this app installed their tracing. */
  readonly uninstallHttpClients: (() => void) | undefined;
}

const kState: unique symbol = Symbol.for('sofa-tracer.egg.state');

type WithState = { [kState]?: EggTracerState };

/**
 * Validates `config.sofaTracer`, then takes the running process tracer or creates it (options →
 * `SOFA_TRACER_*` env → defaults; `appName` defaults to egg's `app.name`) and installs the HTTP
 * client tracing. Throws a `ConfigError` naming the option for invalid configuration: egg's
 * start-up fails with it. Idempotent per app.
 */
export function startEggTracer(app: EggAppLike): EggTracerState {
  const existing = (app as WithState)[kState];
  if (existing !== undefined) return existing;
  const config = validateEggConfig(app.config.sofaTracer);
  const options = tracerOptionsOf(config, app.name);
  // checked even when a tracer already runs (which is then used as is): a wrong value in
  // config.sofaTracer fails start-up, whatever started first
  resolveConfig(options);
  const ownsTracer = tryGetTracer() === undefined;
  const tracer = resolveTracer(options);
  tracer.registerLogType(EGG_LOG_TYPE);
  let uninstallHttpClients: (() => void) | undefined;
  if (config.httpClient !== false && !httpClientInstrumentationStats().installed) {
    tracer.registerLogType(HTTP_CLIENT_LOG_TYPE);
    const options = typeof config.httpClient === 'object' ? config.httpClient : {};
    uninstallHttpClients = instrumentHttpClients(options);
  }
  const state: EggTracerState = { tracer, config, ownsTracer, uninstallHttpClients };
  (app as WithState)[kState] = state;
  return state;
}

/** The state of an app started by {@link startEggTracer}, if any. */
export function eggTracerState(app: EggAppLike): EggTracerState | undefined {
  return (app as WithState)[kState];
}

/** Undoes {@link startEggTracer}: HTTP clients restored, the tracer flushed and closed if the app made it. */
export async function stopEggTracer(app: EggAppLike): Promise<void> {
  const state = (app as WithState)[kState];
  if (state === undefined) return;
  (app as WithState)[kState] = undefined;
  state.uninstallHttpClients?.();
  if (state.ownsTracer) await state.tracer.close();
  else await state.tracer.flush();
}
