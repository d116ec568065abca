/**
 * @sofa-tracer/http-client — client spans for outgoing HTTP calls: global `fetch`, the undici
 * package, urllib 3/4 (undici's diagnostics channels) and `node:http`/`node:https` (axios, got…),
 * written to `httpclient-digest.log` / `httpclient-stat.log`.
 */
import { syncBuiltinESMExports } from 'node:module';
import {
  activeHttpClientSpanCount,
  HTTP_CLIENT_LOG_TYPE,
  HttpClientTracing,
  tryGetTracer,
  type Tracer,
} from '@sofa-tracer/core';
import { instrumentNodeHttp, isClientPrototypeWrapped } from './node-http';
import type { InstrumentHttpClientsOptions } from './options';
import { instrumentUndici, undiciSubscriptionCount } from './undici';

export type { InstrumentHttpClientsOptions } from './options';
export { HTTP_CLIENT_LOG_TYPE, HttpResultCodes } from '@sofa-tracer/core';

let installed: { uninstall: () => void } | undefined;

/**
 * Starts tracing outgoing HTTP calls; returns `uninstall()`, which restores everything
 * (wrapped functions, channel subscriptions). Calling it again while installed changes nothing
 * and returns the same `uninstall` (one span per call, never two).
 */
export function instrumentHttpClients(options: InstrumentHttpClientsOptions = {}): () => void {
  if (installed !== undefined) {
    tryGetTracer()?.selfLog.warn('instrumentHttpClients() called again: the first installation stays');
    return installed.uninstall;
  }
  const fixed: Tracer | undefined = options.tracer;
  const registered = new WeakSet<Tracer>();
  const getTracer = (): Tracer | undefined => {
    const t = fixed ?? tryGetTracer();
    if (t !== undefined && !registered.has(t)) {
      registered.add(t);
      t.registerLogType(HTTP_CLIENT_LOG_TYPE);
    }
    return t;
  };
  const tracing = new HttpClientTracing(getTracer, options);
  const undo: (() => void)[] = [];
  if (options.nodeHttp !== false) {
    undo.push(instrumentNodeHttp(tracing));
    syncBuiltinESMExports();
  }
  if (options.undici !== false) undo.push(instrumentUndici(tracing));
  const record = {
    uninstall: (): void => {
      if (installed !== record) return;
      installed = undefined;
      for (const u of undo) u();
      syncBuiltinESMExports();
    },
  };
  installed = record;
  return record.uninstall;
}

/** Diagnostics for tests and health checks. */
export interface HttpClientInstrumentationStats {
  /** True while `instrumentHttpClients()` is in effect. */
  installed: boolean;
  /** Client spans started and not finished yet (0 when idle: nothing outlives its request). */
  activeSpans: number;
  /** undici diagnostics-channel subscriptions held (5 while installed, 0 after uninstall). */
  channelSubscriptions: number;
  /**
   * Whether `http.ClientRequest.prototype` carries the wrappers: true while installed, and after
   * `uninstall()` until the last traced request then in flight has closed.
   */
  clientPrototypeWrapped: boolean;
}

/** Current counters of the client instrumentation. */
export function httpClientInstrumentationStats(): HttpClientInstrumentationStats {
  return {
    installed: installed !== undefined,
    activeSpans: activeHttpClientSpanCount(),
    channelSubscriptions: undiciSubscriptionCount(),
    clientPrototypeWrapped: isClientPrototypeWrapped(),
  };
}
