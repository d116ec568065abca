import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { countPushes, countWrites, parseContentLength, type ByteCounter, type HttpClientSpan, type HttpClientTracing } from '@sofa-tracer/core';

/**
 * `node:http`/`node:https` clients: `request` and `get` of both modules are wrapped (Node's own
 * `get` calls its module-local `request`, so each call is seen once). After the original creates
 * the `ClientRequest`, the span starts and trace headers are set with `setHeader` (headers are
 * not sent before the first write). The request's `emit` is replaced on the instance by one
 * shared function that watches `response`, `timeout`, `abort`, `error` and `close` — no listener
 * is added, so an app without an `error` listener still gets Node's default behaviour.
 *
 * `close` is the terminal event of a ClientRequest in every outcome (response read to the end,
 * network error, timeout + destroy, abort, body cut short), so the span finishes there, once.
 */

const kState: unique symbol = Symbol('sofa-tracer.nodeHttpClient');

/** Per-request state; also the byte counter of the request body (writes) and response body (pushes). */
class RequestState implements ByteCounter {
  bytes = 0;
  write: ByteCounter['write'] = undefined;
  end: ByteCounter['end'] = undefined;
  push: ByteCounter['push'] = undefined;
  res: IncomingMessage | undefined = undefined;
  resLength = -1;
  resCounter: ByteCounter | undefined = undefined;
  constructor(
    readonly cs: HttpClientSpan,
    readonly emit: (...args: unknown[]) => boolean,
    readonly head: boolean,
  ) {}
}

type Traced = ClientRequest & { [kState]?: RequestState };

function setHeaderOn(req: ClientRequest, name: string, value: string): void {
  if (!req.headersSent) req.setHeader(name, value);
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

function tracedEmit(this: Traced, event: string | symbol, arg: unknown): boolean {
  const st = this[kState]!;
  if (!st.cs.finished) {
    try {
      if (event === 'response') onResponse(st, arg as IncomingMessage);
      else if (event === 'error') st.cs.recordError(arg);
      else if (event === 'timeout') st.cs.timedOut = true;
      else if (event === 'abort') st.cs.aborted = true;
      else if (event === 'close') onClose(this, st);
    } catch {
      // tracing must not disturb the request's events
    }
  }
  return Reflect.apply(st.emit, this, arguments) as boolean;
}

type RequestFn = (...args: unknown[]) => ClientRequest;

/** Installs the wrappers; returns the function that restores the originals. */
export function instrumentNodeHttp(tracing: HttpClientTracing): () => void {
  let active = true;
  const trace = (req: ClientRequest): void => {
    const t = req as Traced;
    if (!active || t[kState] !== undefined) return;
    const host = req.getHeader('host');
    const hostPort = typeof host === 'string' ? host : req.host;
    const method = req.method;
    const cs = tracing.start(
      { method, protocol: req.protocol, hostname: req.host, hostPort, path: req.path, requestSize: -1 },
      req.headersSent ? undefined : setHeaderOn,
      req,
    );
    if (cs === undefined) return;
    const st = new RequestState(cs, req.emit as RequestState['emit'], method === 'HEAD');
    t[kState] = st;
    countWrites(req, st);
    req.emit = tracedEmit as ClientRequest['emit'];
  };
  const restore: (() => void)[] = [];
  for (const mod of [http, https] as unknown as Record<string, RequestFn>[]) {
    const originalRequest = mod.request!;
    const originalGet = mod.get!;
    const request = function request(this: unknown): ClientRequest {
      const req = Reflect.apply(originalRequest, this, arguments) as ClientRequest;
      try {
        trace(req);
      } catch {
        // never let tracing break an outgoing call
      }
      return req;
    };
    // Node's `get` ends the request at once (sending the headers), so it is rebuilt on the traced
    // `request` exactly as Node defines it: request(...) then end().
    const get = function get(this: unknown): ClientRequest {
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
