import type { LogTypeDefinition } from '../log-types/log-type';
import { isHttpClientSuccess, isHttpSuccess } from '../log-types/success-rules';
import { HttpTags } from './tags';

/**
 * The log type of an HTTP server plugin: `<name>-digest.log` / `<name>-stat.log`, digest plugin
 * fields as Java's Spring MVC (`request.url`, `method`, `req.size.bytes`, `resp.size.bytes`,
 * `error`) plus `route`; stat key `local.app` + `route` + `method` (never the raw URL, so the
 * number of stat keys stays bounded); success = 1xx/2xx or 301/302 as in Java.
 *
 * @param name registry name and file prefix, e.g. `express`, `koa`.
 * @example `export const KOA_LOG_TYPE = createHttpServerLogType('koa');`
 */
export function createHttpServerLogType(name: string): LogTypeDefinition {
  return {
    name,
    digestFile: `${name}-digest.log`,
    statFile: `${name}-stat.log`,
    digestFields: [
      { key: HttpTags.URL, type: 'string' },
      { key: HttpTags.METHOD, type: 'string' },
      { key: HttpTags.REQUEST_SIZE, type: 'number', fallback: -1 },
      { key: HttpTags.RESPONSE_SIZE, type: 'number', fallback: -1 },
      { key: HttpTags.ERROR, type: 'string' },
      { key: HttpTags.ROUTE, type: 'string' },
    ],
    statKeyFields: [HttpTags.ROUTE, HttpTags.METHOD],
    isSuccess: (span) => isHttpSuccess(span.resultCode),
  };
}

/** `express-digest.log` / `express-stat.log`. */
export const EXPRESS_LOG_TYPE: LogTypeDefinition = createHttpServerLogType('express');

/**
 * HTTP clients: `httpclient-digest.log` / `httpclient-stat.log` with Java HttpClient's plugin
 * fields (`request.url`, `method`, `req.size.bytes`, `resp.size.bytes`, `remote.app`). The stat
 * key is `local.app` + `remote.host` + `method`: Java keys by the raw URL, whose cardinality is
 * unbounded (ids and query strings in paths); the target host is bounded.
 * Success: 1xx/2xx, 301/302 or `00`.
 */
export const HTTP_CLIENT_LOG_TYPE: LogTypeDefinition = {
  name: 'httpclient',
  digestFile: 'httpclient-digest.log',
  statFile: 'httpclient-stat.log',
  digestFields: [
    { key: HttpTags.URL, type: 'string' },
    { key: HttpTags.METHOD, type: 'string' },
    { key: HttpTags.REQUEST_SIZE, type: 'number', fallback: -1 },
    { key: HttpTags.RESPONSE_SIZE, type: 'number', fallback: -1 },
    { key: HttpTags.REMOTE_APP, type: 'string' },
  ],
  statKeyFields: [HttpTags.REMOTE_HOST, HttpTags.METHOD],
  isSuccess: (span) => isHttpClientSuccess(span.resultCode),
};
