import { createHttpServerLogType, type LogTypeDefinition } from '@sofa-tracer/core';

/** egg's server spans: `egg-digest.log` / `egg-stat.log`, the express fields and order plus `route`. */
export const EGG_LOG_TYPE: LogTypeDefinition = createHttpServerLogType('egg');
