import type { HttpServerPluginOptions } from '@sofa-tracer/core';

/**
 * Options of `sofaTracer()`, the same as `@sofa-tracer/express`'s: `tracer`, `ignorePaths`,
 * `extractFormats`, `redactQuery`, `customTags`, and every core `TracerOptions` field (`appName`,
 * `logDir`, …), used when the middleware creates the global tracer (when one is already running,
 * it is used as is).
 */
export type KoaTracerOptions = HttpServerPluginOptions;
