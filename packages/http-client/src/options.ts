import type { HttpClientTracingOptions, Tracer } from '@sofa-tracer/core';

/** Options of `instrumentHttpClients()`. */
export interface InstrumentHttpClientsOptions extends HttpClientTracingOptions {
  /**
   * The tracer to use. Default: the global tracer, looked up per call — so instrumentation can be
   * installed before `init()`; calls made while no tracer runs are not traced.
   */
  tracer?: Tracer;
  /** Trace `node:http`/`node:https` `request`/`get` (axios, got, node-fetch…). Default true. */
  nodeHttp?: boolean;
  /** Trace undici requests: global `fetch`, the `undici` package, urllib 3/4. Default true. */
  undici?: boolean;
}
