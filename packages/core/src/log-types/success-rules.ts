/**
 * Java SOFATracer's HTTP success rule: a status starting with 1 or 2, or exactly 301/302
 * (so 304 counts as a failure, as in Java). HTTP clients also accept `00`.
 */
export function isHttpSuccess(resultCode: string): boolean {
  const c = resultCode.charCodeAt(0);
  return c === 49 || c === 50 || resultCode === '301' || resultCode === '302';
}

/** HTTP client rule: the HTTP rule, or `00`. */
export function isHttpClientSuccess(resultCode: string): boolean {
  return resultCode === '00' || isHttpSuccess(resultCode);
}

/** Messaging/RPC rule: only `00` is success. */
export function isCodeZeroSuccess(resultCode: string): boolean {
  return resultCode === '00';
}
