import type { LogTypeDefinition } from './log-type';
import { isCodeZeroSuccess } from './success-rules';

/**
 * Business spans traced by hand (`traceFunction`), Java's "flexible" plugin:
 * `biz-digest.log` / `biz-stat.log`. Result code `00` success, `99` error.
 */
export const BIZ_LOG_TYPE: LogTypeDefinition = {
  name: 'biz',
  digestFile: 'biz-digest.log',
  statFile: 'biz-stat.log',
  digestFields: [
    { key: 'method', type: 'string' },
    { key: 'error', type: 'string' },
  ],
  statKeyFields: ['method'],
  isSuccess: (span) => isCodeZeroSuccess(span.resultCode),
};
