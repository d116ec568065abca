import { ServerResponse } from 'node:http';
import type { Stream } from 'node:stream';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import { getHttpServerSpan, type HttpServerSpan, type HttpServerTracing } from '@sofa-tracer/core';
import { fastifyRoute } from './route';

/**
 * How a caller that builds on this wiring (the Nest plugin on Nest's fastify adapter) adjusts
 * it. Both functions run once per traced request, in `onRequest`; exceptions are self-logged and
 * the request goes on.
 */
export interface FastifyWiring {
  /**
   * The route template of a request; `undefined` → fastify's own template
   * (`request.routeOptions.url`, plugin prefixes included; `UNMATCHED` for 404s). Called in
   * `onRequest`, where fastify has already matched the route.
   */
  routeOf?(request: FastifyRequest): string | undefined;
  /** Called once the request's span has started (e.g. to add tags or keep the state). */
  onSpan?(request: FastifyRequest, span: HttpServerSpan): void;
}

const kInstalled: unique symbol = Symbol.for('sofa-tracer.fastify.installed');

type Marked = { [kInstalled]?: true };

/**
 * `app.inject()` (light-my-request) answers through a ServerResponse subclass that never gets a
 * socket, so Node never reports it finished and the span would end as a 499: for these
 * responses only, "finished" means `end()` was called.
 */
function markInjected(res: ServerResponse): void {
  if ((res as { _lightMyRequest?: unknown })._lightMyRequest === undefined) return;
  Object.defineProperty(res, 'writableFinished', {
    configurable: true,
    get(this: ServerResponse) {
      return this.writableEnded;
    },
  });
}

/**
 * Installs SOFATracer server spans on a fastify instance (call it on the root instance: the hooks
 * then cover every route, encapsulated plugins' routes and the 404 handler):
 *
 * - `onRequest` — fastify has matched the route; the span starts (child of the incoming context)
 *   and becomes current for everything fastify runs next: later hooks, `preParsing`, body
 *   parsing, `preValidation`, `preHandler`, the handler, `onSend`. Body parsing keeps it although
 *   the body's `data`/`end` events come from the socket: fastify 4 and 5
 *   resumes the request's async context when its content-type parser is done;
 * - `onError` — records the error fastify is handling, before any `setErrorHandler` sees it
 *   (the same object is passed on, unchanged);
 * - `onSend` — for a streamed reply, records the stream's error (a failure after the headers
 *   went out reaches no error handler; the payload itself is passed on untouched).
 *
 * The span finishes when the response closes (core's helper): status sent, or `499` on a client
 * disconnect. Idempotent per instance — a second call on the same instance (or on a child of an
 * instance already wired) adds nothing, so one request never gets two spans.
 *
 * @returns `true` when the hooks were added; `false` when the instance was already wired, serves
 *   HTTP/2 (not traced: its responses are not `node:http` ServerResponses), or refused the hooks
 *   (already started) — the last two are self-logged. Never throws.
 */
export function installFastifyTracing(
  app: FastifyInstance,
  tracing: HttpServerTracing,
  wiring: FastifyWiring = {},
): boolean {
  if (app === null || typeof app !== 'object') return false;
  const marked = app as unknown as Marked;
  if (marked[kInstalled] === true) return false;
  if ((app.initialConfig as { http2?: boolean } | undefined)?.http2 === true) {
    tracing.tracer.selfLog.warn('fastify: HTTP/2 servers are not traced');
    return false;
  }
  const tracer = tracing.tracer;
  const { routeOf, onSpan } = wiring;

  function fault(what: string, e: unknown): void {
    try {
      tracer.selfLog.error('fastify: ' + what + ' failed', e);
    } catch {
      // the self-log must not break the request either
    }
  }

  function onRequest(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const res = reply.raw;
    // light-my-request's Response extends ServerResponse, so app.inject() is traced too
    if (!(res instanceof ServerResponse)) return done();
    const st = tracing.start(request.raw, res);
    if (st === undefined) return done();
    if (res.constructor !== ServerResponse) markInjected(res);
    let route: unknown;
    if (routeOf !== undefined) {
      try {
        route = routeOf(request);
      } catch (e) {
        fault('routeOf', e);
      }
    }
    st.route = typeof route === 'string' ? route : fastifyRoute(request);
    if (onSpan !== undefined) {
      try {
        onSpan(request, st);
      } catch (e) {
        fault('onSpan', e);
      }
    }
    tracer.withSpan(st.span, done);
  }

  // A streamed reply that fails after its headers went out never reaches onError: fastify
  // destroys the response and only logs. The stream's error is recorded here instead, so the
  // line names the cause rather than a client disconnect.
  function onSend(
    request: FastifyRequest,
    _reply: FastifyReply,
    payload: unknown,
    done: (err: null, payload: unknown) => void,
  ): void {
    if (payload !== null && typeof payload === 'object' && typeof (payload as Stream).pipe === 'function') {
      const st = getHttpServerSpan(request.raw);
      if (st !== undefined) (payload as Stream).once('error', (e: unknown) => st.recordError(e));
    }
    done(null, payload);
  }

  function onError(
    request: FastifyRequest,
    _reply: FastifyReply,
    error: FastifyError,
    done: () => void,
  ): void {
    const st = getHttpServerSpan(request.raw);
    if (st !== undefined) st.recordError(error);
    done();
  }

  try {
    app.addHook('onRequest', onRequest);
    app.addHook('onSend', onSend);
    app.addHook('onError', onError);
  } catch (e) {
    // e.g. the instance has already started: fastify refuses new hooks; the app runs untraced
    fault('adding the hooks (call it before the app is ready)', e);
    return false;
  }
  Object.defineProperty(app, kInstalled, { value: true, enumerable: false });
  return true;
}
