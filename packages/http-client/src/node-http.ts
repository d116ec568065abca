import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import {
  chunkLength,
  countPushes,
  isTraceHeader,
  parseContentLength,
  type ByteCounter,
  type HttpClientSpan,
  type HttpClientTracing,
} from '@sofa-tracer/core';

/**
 * `node:http`/`node:https` clients: `request` and `get` of both modules are wrapped (Node's own
 * `get` calls its module-local `request`, so each call is seen once). After the original creates
 * the `ClientRequest`, the span starts and trace headers are set with `setHeader` (headers are
 * not sent before the first write). `ClientRequest.prototype.emit` is wrapped to watch
 * `response`, `timeout`, `abort`, `error` and `close` of traced requests — no listener is added,
 * so an app without an `error` listener still gets Node's default behaviour.
 *
 * `close` is the terminal event of a ClientRequest in every outcome (response read to the end,
 * network error, timeout + destroy, abort, body cut short), so the span finishes there, once.
 */

const kState: unique symbol = Symbol('sofa-tracer.nodeHttpClient');

/** Per-request state. */
class RequestState {
  /** Request body bytes written. */
  bytes = 0;
  res: IncomingMessage | undefined = undefined;
  resLength = -1;
  resCounter: ByteCounter | undefined = undefined;
  constructor(
    readonly cs: HttpClientSpan,
    readonly head: boolean,
  ) {}
}

type Traced = ClientRequest & { [kState]?: RequestState };
type Method = (this: ClientRequest, ...args: unknown[]) => unknown;

function setHeaderOn(req: ClientRequest, name: string, value: string): void {
  if (!req.headersSent) req.setHeader(name, value);
}

/** Removes trace headers the caller put on the request (e.g. copied from an incoming request). */
function removeTraceHeaders(req: ClientRequest): void {
  if (req.headersSent) return;
  for (const name of req.getHeaderNames()) if (isTraceHeader(name)) req.removeHeader(name);
}

/**
 * Arguments of a `request` call whose options carry headers as a raw array (`['name', 'value',
 * …]`): Node serialises those at once, so the tracer can neither remove nor add headers afterwards.
 * Returns a copy of the arguments whose options (copied, never the caller's) hold the array
 * without trace headers — copied ones must not bypass the allow-list or the baggage limits — or
 * `undefined` when there is no raw array (the common case: nothing allocated).
 */
function withoutRawTraceHeaders(args: ArrayLike<unknown>): unknown[] | undefined {
  for (let i = 0; i < args.length && i < 2; i++) {
    const a = args[i];
    if (a === null || typeof a !== 'object' || a instanceof URL) continue;
    const headers = (a as { headers?: unknown }).headers;
    if (!Array.isArray(headers)) return undefined;
    const kept: unknown[] = [];
    for (let k = 0; k + 1 < headers.length; k += 2)
      if (typeof headers[k] !== 'string' || !isTraceHeader(headers[k] as string))
        kept.push(headers[k], headers[k + 1]);
    if (kept.length === headers.length) return undefined;
    const copy = Array.prototype.slice.call(args) as unknown[];
    copy[i] = { ...(a as object), headers: kept };
    return copy;
  }
  return undefined;
}

/** A non-empty `port` of a request argument (URL string, URL object or options object). */
function portOf(arg: unknown): string | undefined {
  let port: unknown;
  if (typeof arg === 'string') {
    try {
      port = new URL(arg).port;
    } catch {
      return undefined;
    }
  } else if (arg !== null && typeof arg === 'object') {
    port = (arg as { port?: unknown }).port;
  }
  if (typeof port === 'number') return String(port);
  return typeof port === 'string' && port !== '' ? port : undefined;
}

/**
 * `host[:port]` of the socket the request connects to — `req.host` (Node's own choice from
 * `hostname`/`host`/the URL) and the port from the call's arguments as Node merges them (options
 * override the URL) — never the `Host` header, which the caller may have set to another name.
 * The port is left out when it is the protocol's default, as in a `Host` header.
 */
function connectionTarget(req: ClientRequest, args: ArrayLike<unknown>): string {
  let port: string | undefined;
  for (let i = 0; i < args.length && i < 2; i++) port = portOf(args[i]) ?? port;
  const agentPort = (req as { agent?: { defaultPort?: unknown } }).agent?.defaultPort;
  const defaultPort =
    typeof agentPort === 'number' ? String(agentPort) : req.protocol === 'https:' ? '443' : '80';
  const host = req.host.includes(':') && !req.host.startsWith('[') ? '[' + req.host + ']' : req.host;
  return port === undefined || port === defaultPort ? host : host + ':' + port;
}

function onResponse(st: RequestState, res: IncomingMessage): void {
  st.res = res;
  st.cs.status = res.statusCode ?? 0;
  st.resLength = st.head ? 0 : parseContentLength(res.headers['content-length']);
  if (st.resLength < 0) {
    st.resCounter = { bytes: 0, write: undefined, end: undefined, push: undefined };
    countPushes(res, st.resCounter);
  }
}

function onClose(req: ClientRequest, st: RequestState): void {
  const cs = st.cs;
  const reqLength = parseContentLength(req.getHeader('content-length'));
  cs.requestBytes = reqLength >= 0 ? reqLength : st.bytes;
  const res = st.res;
  if (res !== undefined) cs.responseBytes = st.resLength >= 0 ? st.resLength : (st.resCounter?.bytes ?? -1);
  cs.finish(res !== undefined && res.complete);
}

/** Traced requests not closed yet (the prototype wrappers stay until they are, after uninstall). */
let inflight = 0;
let pendingRestore: (() => void) | undefined;

function observe(req: ClientRequest, st: RequestState, event: string | symbol, arg: unknown): void {
  try {
    if (event === 'response') onResponse(st, arg as IncomingMessage);
    else if (event === 'error') st.cs.recordError(arg);
    else if (event === 'timeout') st.cs.timedOut = true;
    else if (event === 'abort') st.cs.aborted = true;
    else if (event === 'close') {
      inflight--;
      onClose(req, st);
      if (inflight === 0 && pendingRestore !== undefined) {
        const restore = pendingRestore;
        pendingRestore = undefined;
        restore();
      }
    }
  } catch {
    // tracing must not disturb the request's events
  }
}

type RequestFn = (...args: unknown[]) => ClientRequest;

/**
 * Installs the wrappers; returns the function that restores the originals.
 *
 * Per traced request, one symbol property is added to the ClientRequest; `emit`, `write` and
 * `end` are wrapped once on `ClientRequest.prototype` (they find the state through that symbol
 * and cost one lookup on untraced requests), rather than overridden on every instance.
 */
let protoRestore: (() => void) | undefined;

/** Wraps `ClientRequest.prototype` emit/write/end once; returns the restorer (kept module-wide). */
function wrapPrototype(): void {
  if (protoRestore !== undefined) return; // still wrapped (an uninstall waits for requests in flight)
  const proto = http.ClientRequest.prototype as unknown as Record<string, Method>;
  const hadOwn = {
    emit: Object.prototype.hasOwnProperty.call(proto, 'emit'),
    write: Object.prototype.hasOwnProperty.call(proto, 'write'),
    end: Object.prototype.hasOwnProperty.call(proto, 'end'),
    setHeader: Object.prototype.hasOwnProperty.call(proto, 'setHeader'),
    appendHeader: Object.prototype.hasOwnProperty.call(proto, 'appendHeader'),
  };
  const emit = proto.emit!;
  const write = proto.write!;
  const end = proto.end!;
  const setHeader = proto.setHeader!;
  const appendHeader = proto.appendHeader;
  const tracedEmit: Method = function emit_(this: Traced, event: unknown, arg: unknown) {
    const st = this[kState];
    if (st !== undefined && !st.cs.finished) observe(this, st, event as string | symbol, arg);
    // eslint-disable-next-line prefer-rest-params -- forwards the exact call without allocating an array
    return Reflect.apply(emit, this, arguments);
  };
  const tracedWrite: Method = function write_(this: Traced, chunk: unknown, encoding: unknown) {
    const st = this[kState];
    if (st !== undefined) st.bytes += chunkLength(chunk, encoding);
    // eslint-disable-next-line prefer-rest-params -- forwards the exact call without allocating an array
    return Reflect.apply(write, this, arguments);
  };
  const tracedEnd: Method = function end_(this: Traced, chunk: unknown, encoding: unknown) {
    const st = this[kState];
    if (st !== undefined && typeof chunk !== 'function') st.bytes += chunkLength(chunk, encoding);
    // eslint-disable-next-line prefer-rest-params -- forwards the exact call without allocating an array
    return Reflect.apply(end, this, arguments);
  };
  // On a traced request the trace headers are the tracer's: one the app sets after the request
  // was created (a forwarded `traceparent`, baggage) would replace the injected context or go to a
  // host off the allow-list, so it is ignored, as copied headers are removed at creation.
  const ignored = (req: Traced, name: unknown): boolean =>
    req[kState] !== undefined && typeof name === 'string' && isTraceHeader(name);
  const tracedSetHeader: Method = function setHeader_(this: Traced, name: unknown) {
    if (ignored(this, name)) return this;
    // eslint-disable-next-line prefer-rest-params -- forwards the exact call without allocating an array
    return Reflect.apply(setHeader, this, arguments);
  };
  const tracedAppendHeader: Method | undefined =
    appendHeader === undefined
      ? undefined
      : function appendHeader_(this: Traced, name: unknown) {
          if (ignored(this, name)) return this;
          // eslint-disable-next-line prefer-rest-params -- forwards the exact call without allocating an array
          return Reflect.apply(appendHeader, this, arguments);
        };
  proto.emit = tracedEmit;
  proto.write = tracedWrite;
  proto.end = tracedEnd;
  proto.setHeader = tracedSetHeader;
  if (tracedAppendHeader !== undefined) proto.appendHeader = tracedAppendHeader;
  protoRestore = (): void => {
    protoRestore = undefined;
    for (const [name, mine, original] of [
      ['emit', tracedEmit, emit],
      ['write', tracedWrite, write],
      ['end', tracedEnd, end],
      ['setHeader', tracedSetHeader, setHeader],
      ['appendHeader', tracedAppendHeader, appendHeader],
    ] as const) {
      if (mine === undefined || proto[name] !== mine) continue; // someone wrapped on top of us: ours is inert
      if (hadOwn[name]) proto[name] = original!;
      else delete proto[name];
    }
  };
}

/** Whether `ClientRequest.prototype` currently carries the wrappers (tests). */
export function isClientPrototypeWrapped(): boolean {
  return protoRestore !== undefined;
}

export function instrumentNodeHttp(tracing: HttpClientTracing): () => void {
  let active = true;
  pendingRestore = undefined;
  wrapPrototype();

  const trace = (req: ClientRequest, args: ArrayLike<unknown>): void => {
    const t = req as Traced;
    if (!active || t[kState] !== undefined) return;
    const method = req.method;
    const cs = tracing.start(
      {
        method,
        protocol: req.protocol,
        hostname: req.host,
        hostPort: connectionTarget(req, args),
        path: req.path,
        requestSize: -1,
      },
      req.headersSent ? undefined : setHeaderOn,
      req,
      removeTraceHeaders,
    );
    if (cs === undefined) return;
    t[kState] = new RequestState(cs, method === 'HEAD');
    inflight++;
  };
  // requests in flight at uninstall still finish their spans: the prototype is restored when the
  // last of them closes
  const restore: (() => void)[] = [
    () => {
      if (inflight === 0) protoRestore?.();
      else pendingRestore = protoRestore;
    },
  ];
  for (const mod of [http, https] as unknown as Record<string, RequestFn>[]) {
    const originalRequest = mod.request!;
    const originalGet = mod.get!;
    const request = function request(this: unknown): ClientRequest {
      // eslint-disable-next-line prefer-rest-params -- forwards the exact call without allocating an array
      let args: ArrayLike<unknown> = arguments;
      try {
        if (active && tracing.tracer() !== undefined) args = withoutRawTraceHeaders(args) ?? args;
      } catch {
        // the caller's arguments go to Node as they are
      }
      const req = Reflect.apply(originalRequest, this, args) as ClientRequest;
      try {
        // the call's own arguments name the target port
        trace(req, args);
      } catch {
        // never let tracing break an outgoing call
      }
      return req;
    };
    // Node's `get` ends the request at once (sending the headers), so it is rebuilt on the traced
    // `request` exactly as Node defines it: request(...) then end().
    const get = function get(this: unknown): ClientRequest {
      // eslint-disable-next-line prefer-rest-params -- forwards the exact call without allocating an array
      const req = Reflect.apply(request, this, arguments) as ClientRequest;
      req.end();
      return req;
    };
    mod.request = request;
    mod.get = get;
    restore.push(() => {
      if (mod.request === request) mod.request = originalRequest;
      if (mod.get === get) mod.get = originalGet;
    });
  }
  return () => {
    active = false;
    for (const r of restore) r();
  };
}
