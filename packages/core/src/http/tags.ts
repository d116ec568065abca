/**
 * Tag names HTTP spans carry. The first five are Java SOFATracer's digest field names; the rest
 * are this project's additions (route template, target host) used by stat keys and metrics.
 */
export const HttpTags = {
  /** Full request URL (query string redacted by option). */
  URL: 'request.url',
  /** HTTP method, upper case. */
  METHOD: 'method',
  /** Request body bytes (-1 when unknown). */
  REQUEST_SIZE: 'req.size.bytes',
  /** Response body bytes (-1 when unknown). */
  RESPONSE_SIZE: 'resp.size.bytes',
  /** Error message, `""` when none. */
  ERROR: 'error',
  /** Server: the framework's route template (`/users/:id`), or `UNMATCHED`. */
  ROUTE: 'route',
  /** Client: `remote.app` (the callee's app name when known). */
  REMOTE_APP: 'remote.app',
  /** Client: target `host:port`. */
  REMOTE_HOST: 'remote.host',
} as const;

/** Route value of requests that no route matched: one stat key / metric label for all of them. */
export const UNMATCHED_ROUTE = 'UNMATCHED';
