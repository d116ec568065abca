import type { HttpServerPluginOptions } from '@sofa-tracer/core';

/**
 * Options of `sofaTracer()`: `tracer`, `ignorePaths`, `extractFormats`, `redactQuery`,
 * `customTags` (core's {@link HttpServerPluginOptions}, shared by every server plugin), and every
 * core `TracerOptions` field (`appName`, `logDir`, …), used when this middleware creates the
 * global tracer (when one is already running, it is used as is and these are ignored).
 */
export type SofaTracerExpressOptions = HttpServerPluginOptions;
