import diagnostics from 'node:diagnostics_channel';
import { isTraceHeader, type HttpClientSpan, type HttpClientTracing } from '@sofa-tracer/core';

/**
 * undici through its diagnostics channels — no patching. The channels are registered by name,
 * process-wide, so one subscription sees both the `undici` package (v5–v7, urllib 3/4 use it)
 * and the copy of undici bundled in Node that serves global `fetch`.
 *
 * - `undici:request:create` — start the span (the caller's async context is current) and add
 *   trace headers with `request.addHeader`, after removing every trace header the caller set
 *   (copied from an incoming request, say), so a request never carries two trace ids and
 *   copied baggage never reaches a host off the allow-list;
 * - `undici:request:headers` — status and `content-length`;
 * - `undici:request:bodyChunkReceived` (undici ≥ 7) — response bytes when no `content-length`;
 * - `undici:request:trailers` — the body was read to the end: finish;
 * - `undici:request:error` — network error, timeout, abort: finish.
 *
 * A body never consumed: undici holds the request until its `bodyTimeout` (300 s by default)
 * fires an error, or — for `fetch` — until the Response is garbage-collected, which cancels the
 * body; either ends in `undici:request:error`, so the span still finishes exactly once. The
 * state lives on the request object (a symbol property): there is no map to leak.
 */

const kState: unique symbol = Symbol('sofa-tracer.undiciClient');

interface UndiciRequest {
  origin?: unknown;
  method?: string;
  path?: string;
  body?: unknown;
  contentLength?: number | null;
  headers?: unknown;
  addHeader?(name: string, value: string): unknown;
  [kState]?: RequestState;
}

class RequestState {
  bytes = 0;
  length = -1;
  constructor(
    readonly cs: HttpClientSpan,
    readonly head: boolean,
    readonly countsChunks: boolean,
  ) {}
}

interface Message {
  request: UndiciRequest;
  response?: { statusCode?: number; headers?: unknown[] };
  chunk?: { length?: number };
  error?: unknown;
}

/** Names (lowercase) of the headers injected into the current request. */
const pending: string[] = [];

function collectHeader(req: UndiciRequest, name: string, value: string): void {
  pending.push(name, value);
  void req;
}

/** Drops every trace header the caller set (see `isTraceHeader`). */
function removeTraceHeaders(req: UndiciRequest): void {
  const h = req.headers;
  if (Array.isArray(h)) {
    // undici 7: [name, value, name, value, …]
    let found = false;
    for (let i = 0; i < h.length; i += 2) if (isTraceHeader(String(h[i]))) found = true;
    if (!found) return;
    const kept: unknown[] = [];
    for (let i = 0; i < h.length; i += 2) if (!isTraceHeader(String(h[i]))) kept.push(h[i], h[i + 1]);
    h.length = 0;
    for (const v of kept) h.push(v);
  } else if (typeof h === 'string' && h.length > 0) {
    // undici 5/6: "name: value\r\n" lines
    const lines = h.split('\r\n');
    const kept = lines.filter((l) => {
      const c = l.indexOf(':');
      return c < 0 || !isTraceHeader(l.slice(0, c).trim());
    });
    if (kept.length !== lines.length) req.headers = kept.join('\r\n');
  }
}

function requestSize(req: UndiciRequest): number {
  if (typeof req.contentLength === 'number' && req.contentLength >= 0) return req.contentLength;
  const b = req.body;
  if (b === null || b === undefined) return 0;
  if (typeof b === 'string') return Buffer.byteLength(b);
  if (b instanceof Uint8Array) return b.byteLength;
  return -1; // a stream, iterable, Blob or FormData: not known up front
}

function splitOrigin(origin: string): { protocol: string; hostPort: string; hostname: string } {
  const sep = origin.indexOf('//');
  const protocol = sep > 0 ? origin.slice(0, sep) : 'http:';
  let hostPort = sep >= 0 ? origin.slice(sep + 2) : origin;
  const slash = hostPort.indexOf('/');
  if (slash >= 0) hostPort = hostPort.slice(0, slash);
  let hostname = hostPort;
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    hostname = end > 0 ? hostPort.slice(0, end + 1) : hostPort;
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon >= 0) hostname = hostPort.slice(0, colon);
  }
  return { protocol, hostPort, hostname };
}

function contentLengthOf(headers: unknown[] | undefined): number {
  if (!Array.isArray(headers)) return -1;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const k = headers[i];
    const name = typeof k === 'string' ? k : k instanceof Uint8Array ? Buffer.from(k).toString('latin1') : '';
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      const v = headers[i + 1];
      const text =
        typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : '';
      const n = Number(text);
      return text.length > 0 && Number.isSafeInteger(n) && n >= 0 ? n : -1;
    }
  }
  return -1;
}

/**
 * Whether a Request class publishes `undici:request:bodyChunkReceived` (undici ≥ 7; Node 20's
 * bundled undici does not): without it, a body without `content-length` has an unknown size
 * (-1) rather than a wrong 0. Checked once per undici copy.
 */
const publishesChunks = new WeakMap<object, boolean>();

function countsChunks(req: UndiciRequest): boolean {
  const proto = Object.getPrototypeOf(req) as { onData?: unknown } | null;
  if (proto === null) return false;
  let known = publishesChunks.get(proto);
  if (known === undefined) {
    known =
      typeof proto.onData === 'function' &&
      Function.prototype.toString.call(proto.onData).includes('bodyChunkReceived');
    publishesChunks.set(proto, known);
  }
  return known;
}

let subscriptions = 0;

/** Channel subscriptions currently held by this module (0 after uninstall). */
export function undiciSubscriptionCount(): number {
  return subscriptions;
}

/** Subscribes to undici's channels; returns the function that unsubscribes. */
export function instrumentUndici(tracing: HttpClientTracing): () => void {
  const onCreate = (message: unknown): void => {
    const req = (message as Message).request;
    if (req === null || typeof req !== 'object' || req[kState] !== undefined) return;
    try {
      const method = typeof req.method === 'string' ? req.method : 'GET';
      if (method === 'CONNECT') return; // a proxy tunnel, not a call of its own
      const { protocol, hostPort, hostname } = splitOrigin(String(req.origin ?? ''));
      const canInject = typeof req.addHeader === 'function';
      pending.length = 0;
      const cs = tracing.start(
        {
          method,
          protocol,
          hostPort,
          hostname,
          path: typeof req.path === 'string' ? req.path : '/',
          requestSize: requestSize(req),
        },
        canInject ? collectHeader : undefined,
        req,
        canInject ? removeTraceHeaders : undefined,
      );
      if (cs === undefined) return;
      req[kState] = new RequestState(cs, method === 'HEAD', countsChunks(req));
      if (pending.length > 0) {
        for (let i = 0; i < pending.length; i += 2) {
          try {
            req.addHeader!(pending[i]!, pending[i + 1]!);
          } catch {
            // a value undici refuses is left out; the call still goes
          }
        }
        pending.length = 0;
      }
    } catch {
      pending.length = 0;
    }
  };
  const onHeaders = (message: unknown): void => {
    const { request, response } = message as Message;
    const st = request?.[kState];
    if (st === undefined || st.cs.finished) return;
    st.cs.status = response?.statusCode ?? 0;
    st.length = st.head ? 0 : contentLengthOf(response?.headers);
  };
  const onChunk = (message: unknown): void => {
    const { request, chunk } = message as Message;
    const st = request?.[kState];
    if (st !== undefined && typeof chunk?.length === 'number') st.bytes += chunk.length;
  };
  const onTrailers = (message: unknown): void => {
    const st = (message as Message).request?.[kState];
    if (st === undefined || st.cs.finished) return;
    st.cs.responseBytes = st.length >= 0 ? st.length : st.countsChunks ? st.bytes : -1;
    st.cs.finish(true);
  };
  const onError = (message: unknown): void => {
    const { request, error } = message as Message;
    const st = request?.[kState];
    if (st === undefined || st.cs.finished) return;
    st.cs.recordError(error);
    if (st.cs.status > 0 && st.countsChunks) st.cs.responseBytes = st.bytes;
    st.cs.finish(false);
  };
  const subs: [string, (m: unknown) => void][] = [
    ['undici:request:create', onCreate],
    ['undici:request:headers', onHeaders],
    ['undici:request:bodyChunkReceived', onChunk],
    ['undici:request:trailers', onTrailers],
    ['undici:request:error', onError],
  ];
  for (const [name, fn] of subs) {
    diagnostics.subscribe(name, fn);
    subscriptions++;
  }
  return () => {
    for (const [name, fn] of subs) if (diagnostics.unsubscribe(name, fn)) subscriptions--;
  };
}
