import type { HttpServerPluginOptions } from '@sofa-tracer/core';

/**
 * Options of the fastify plugin — the same as the express plugin's: `tracer`, `ignorePaths`,
 * `extractFormats`, `redactQuery`, `customTags`, and every core `TracerOptions` field (`appName`,
 * `logDir`, …), used when the plugin creates the global tracer (when one is already running, it
 * is used as is and those are ignored).
 */
export type SofaTracerFastifyOptions = HttpServerPluginOptions;
