export { HttpTags, UNMATCHED_ROUTE } from './tags';
export { HttpResultCodes, clientErrorResultCode } from './result-codes';
export { createHttpServerLogType, EXPRESS_LOG_TYPE, HTTP_CLIENT_LOG_TYPE } from './log-types';
export { QueryRedactor, HostMatcher, serverRequestUrl, requestHost, MAX_URL_LENGTH, REDACTED } from './url';
export type { QueryRedaction, HostPattern } from './url';
export { HeaderFormatFilter, isTraceHeader } from './header-filter';
export { chunkLength, countPushes, countWrites, parseContentLength, kByteCounter } from './body-count';
export type { ByteCounter } from './body-count';
export {
  HttpServerTracing,
  HttpServerSpan,
  getHttpServerSpan,
  activeHttpServerSpanCount,
  CLIENT_ABORTED_ERROR,
} from './server';
export type { HttpServerTracingOptions, IgnorePaths } from './server';
export { httpServerTracingFor, HTTP_SERVER_PLUGIN_KEYS } from './server-plugin';
export type { HttpServerPluginOptions } from './server-plugin';
export {
  HttpClientTracing,
  HttpClientSpan,
  activeHttpClientSpanCount,
  INCOMPLETE_RESPONSE_ERROR,
  CALLER_ABORTED_ERROR,
  NO_RESPONSE_ERROR,
} from './client';
export type {
  HttpClientTracingOptions,
  HttpClientRequestInfo,
  HeaderWriter,
  TraceHeaderRemover,
} from './client';
