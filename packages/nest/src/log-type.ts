import { createHttpServerLogType, type LogTypeDefinition } from '@sofa-tracer/core';

/** Span tag with the Nest handler that served the request: `UsersController.findOne`. */
export const HANDLER_TAG = 'handler';

const base = createHttpServerLogType('nest');

/**
 * `nest-digest.log` / `nest-stat.log`: the express digest fields in the same order (`request.url`,
 * `method`, `req.size.bytes`, `resp.size.bytes`, `error`, `route`) plus `handler`; stat key
 * `local.app` + `route` + `method`.
 */
export const NEST_LOG_TYPE: LogTypeDefinition = {
  ...base,
  digestFields: [...base.digestFields, { key: HANDLER_TAG, type: 'string' }],
};
