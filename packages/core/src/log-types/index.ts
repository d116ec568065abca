export type { DigestField, LogTypeDefinition } from './log-type';
export { LogTypeRegistry } from './registry';
export { BIZ_LOG_TYPE } from './builtin';
export { isHttpSuccess, isHttpClientSuccess, isCodeZeroSuccess } from './success-rules';
