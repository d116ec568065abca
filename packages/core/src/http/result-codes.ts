/**
 * `result.code` values HTTP spans use when no HTTP status tells the story. HTTP statuses are
 * written as they are (`"200"`, `"404"`); these cover the cases where no (complete) response
 * exists. `03`/`99` borrow Java SOFATracer's MQ codes so one success rule reads all logs.
 */
export const HttpResultCodes = {
  /**
   * The calling side gave up before the exchange completed: on a server span, the client
   * disconnected before the response was fully sent; on a client span, the caller aborted the
   * request (AbortSignal, `req.destroy()` without an error). Nginx's "client closed request".
   */
  CLIENT_ABORTED: '499',
  /** Client span: the request or the response body timed out. */
  TIMEOUT: '03',
  /** Client span: a network or protocol error (refused, reset, DNS, TLS, incomplete body). */
  NETWORK_ERROR: '99',
} as const;

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ECONNABORTED', // axios' timeout
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_HTTP_REQUEST_TIMEOUT',
  '23', // DOMException.TIMEOUT_ERR
]);

const ABORT_CODES = new Set(['ABORT_ERR', 'UND_ERR_ABORTED', 'ERR_CANCELED', '20']);

/**
 * Maps an error that ended a client request to a result code: timeouts → `03`, aborts by the
 * caller → `499`, anything else → `99`. Looks at `code`, `name` and one level of `cause`.
 */
export function clientErrorResultCode(error: unknown, timedOut = false): string {
  if (timedOut) return HttpResultCodes.TIMEOUT;
  let e: unknown = error;
  for (let depth = 0; depth < 2 && e !== null && typeof e === 'object'; depth++) {
    const o = e as { code?: unknown; name?: unknown; cause?: unknown };
    const code = o.code === undefined ? '' : String(o.code);
    if (TIMEOUT_CODES.has(code) || o.name === 'TimeoutError') return HttpResultCodes.TIMEOUT;
    if (ABORT_CODES.has(code) || o.name === 'AbortError') return HttpResultCodes.CLIENT_ABORTED;
    e = o.cause;
  }
  return HttpResultCodes.NETWORK_ERROR;
}
