import { ServerResponse, type IncomingMessage } from 'node:http';
import type { PropagationFormat } from '../propagation/codec';
import type { TagValue } from '../span/readable-span';
import type { SpanContext } from '../span/span-context';
import type { Span, Tracer } from '../tracer/types';
import { chunkLength, countPushes, parseContentLength, type ByteCounter } from './body-count';
import { HeaderFormatFilter } from './header-filter';
import { HttpResultCodes } from './result-codes';
import { HttpTags, UNMATCHED_ROUTE } from './tags';
import { QueryRedactor, serverRequestUrl, type QueryRedaction } from './url';

/** Paths that get no span: exact paths (query string ignored), RegExps, or a predicate. */
export type IgnorePaths = readonly (string | RegExp)[] | ((path: string, req: IncomingMessage) => boolean);

/** Options every HTTP server plugin shares (express, koa, Nest, egg). */
export interface HttpServerTracingOptions {
  /** Log type of the spans (registered by the plugin), e.g. `express`. */
  logType: string;
  /** Requests that get no span at all (health checks): one check per request, nothing else. */
  ignorePaths?: IgnorePaths;
  /** Trace header formats accepted from clients; default: the tracer's extract configuration. */
  extractFormats?: readonly PropagationFormat[];
  /** Query string handling in `request.url`; default `true` (dropped, as Java). */
  redactQuery?: QueryRedaction;
  /** Extra tags from the request, set when the span starts. Exceptions are self-logged. */
  customTags?: (req: IncomingMessage) => Record<string, TagValue> | undefined | void;
  /**
   * Runs just before a span finishes, e.g. to set `state.route` from what the framework only
   * knows at the end. Exceptions are self-logged; the span still finishes.
   */
  beforeFinish?: (state: HttpServerSpan) => void;
}

/** Text of the `error` field when the client went away before the response was complete. */
export const CLIENT_ABORTED_ERROR = 'client disconnected before the response was complete';

const kServerSpan: unique symbol = Symbol('sofa-tracer.httpServerSpan');
/** Marks ServerResponse.prototype as wrapped by this copy of core (one wrap per copy). */
const kCounting: unique symbol = Symbol('sofa-tracer.responseCounting');

type WithState = { [kServerSpan]?: HttpServerSpan };

let activeServerSpans = 0;

/** Server spans started and not yet finished, process-wide (for leak tests and diagnostics). */
export function activeHttpServerSpanCount(): number {
  return activeServerSpans;
}

/**
 * The per-request state of a traced server request: one object holding everything, so the
 * shared event handlers need no closure. Plugins set {@link route} and call
 * {@link recordError}; the helper does the rest when the response closes.
 */
export class HttpServerSpan {
  /** Response body bytes written so far. */
  bytes = 0;
  /** Route template set by the framework plugin; `UNMATCHED` is written when none. */
  route: string | undefined = undefined;
  /** First error recorded for this request. */
  error: unknown = undefined;
  /** True once an error was recorded (an error may be a falsy value such as `0` or `""`). */
  hasError = false;
  /** True once the span is finished. */
  finished = false;
  /**
   * Free for the framework plugin's own per-request use (express caches its `next` wrapper here:
   * the callback last wrapped and its wrapper, so consecutive middlewares share one closure).
   */
  pluginIn: unknown = undefined;
  /** See {@link pluginIn}. */
  pluginOut: unknown = undefined;
  /**
   * Free for the framework plugin's per-request routing state (express keeps the template of a
   * parameterised mount here): state on this object costs one field, where another property on
   * the large, dictionary-mode request object costs a hash lookup per layer.
   */
  pluginData: unknown = undefined;
  private readonly reqCounter: ByteCounter | undefined;

  /** @internal created by {@link HttpServerTracing.start}. */
  constructor(
    readonly span: Span,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly tracing: HttpServerTracing,
    reqSize: number,
  ) {
    this.reqCounter =
      reqSize === -2 ? { bytes: 0, write: undefined, end: undefined, push: undefined } : undefined;
    if (this.reqCounter !== undefined) countPushes(req, this.reqCounter);
  }

  /**
   * Records an error of the request (the first one wins; `'route'`/`'router'` routing signals of
   * express are ignored). The error object itself is never changed.
   */
  recordError(error: unknown): void {
    if (this.hasError || error === 'route' || error === 'router' || error === undefined || error === null)
      return;
    this.hasError = true;
    this.error = error;
  }

  /** Ends the span (idempotent); called by the helper when the response closes. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    activeServerSpans--;
    const { span, res, req } = this;
    const tracing = this.tracing;
    if (tracing.beforeFinish !== undefined) {
      try {
        tracing.beforeFinish(this);
      } catch (e) {
        tracingFault(tracing.tracer, e);
      }
    }
    try {
      const route = this.route ?? UNMATCHED_ROUTE;
      span.setTag(HttpTags.ROUTE, route);
      span.setOperationName(req.method + ' ' + route);
      if (this.reqCounter !== undefined) span.setTag(HttpTags.REQUEST_SIZE, this.reqCounter.bytes);
      span.setTag(HttpTags.RESPONSE_SIZE, req.method === 'HEAD' ? 0 : this.bytes);
      if (this.hasError) span.setError(this.error);
      if (res.writableFinished) {
        span.setResultCode(res.statusCode);
      } else {
        span.setResultCode(HttpResultCodes.CLIENT_ABORTED);
        if (!this.hasError) span.setTag(HttpTags.ERROR, CLIENT_ABORTED_ERROR);
      }
    } catch (e) {
      tracingFault(tracing.tracer, e);
    }
    span.finish();
  }
}

function tracingFault(tracer: Tracer, e: unknown): void {
  try {
    tracer.selfLog.error('http server tracing failed', e);
  } catch {
    // the self-log must not break the request either
  }
}

type Writer = (this: ServerResponse, ...args: unknown[]) => unknown;

/**
 * Counts response body bytes for traced responses and finishes their spans on `close`, by wrapping
 * `ServerResponse.prototype.write`, `.end` and `.emit` once per process, instead of setting instance properties on every response (which
 * costs hidden-class transitions and property-store growth per request). Untraced responses pay
 * one symbol lookup. A compression middleware that wraps `res.write` later calls these, so the
 * bytes counted are the bytes handed to Node. `end` does not call `write` internally in Node, so
 * nothing is counted twice.
 */
function installResponseCounting(): void {
  const proto = ServerResponse.prototype as unknown as Record<PropertyKey, unknown>;
  if (proto[kCounting] === true) return;
  proto[kCounting] = true;
  const write = proto.write as Writer;
  const end = proto.end as Writer;
  proto.write = function write_(this: ServerResponse, chunk: unknown, encoding: unknown): unknown {
    const st = stateOfResponse(this);
    if (st !== undefined) st.bytes += chunkLength(chunk, encoding);
    // eslint-disable-next-line prefer-rest-params -- forwards the exact call without allocating an array
    return Reflect.apply(write, this, arguments);
  };
  proto.end = function end_(this: ServerResponse, chunk: unknown, encoding: unknown): unknown {
    const st = stateOfResponse(this);
    if (st !== undefined && typeof chunk !== 'function') st.bytes += chunkLength(chunk, encoding);
    // eslint-disable-next-line prefer-rest-params -- forwards the exact call without allocating an array
    return Reflect.apply(end, this, arguments);
  };
  // 'close' is the last event of every response (complete or aborted). Seeing it here, before the
  // listeners run, replaces a `res.on('close')` per request — adding a listener to a response
  // costs more than the rest of this hook put together.
  const emit = proto.emit as Writer;
  proto.emit = function emit_(this: ServerResponse, event: unknown): unknown {
    if (event === 'close') {
      const st = stateOfResponse(this);
      if (st !== undefined) st.finish();
    }
    // eslint-disable-next-line prefer-rest-params -- forwards the exact call without allocating an array
    return Reflect.apply(emit, this, arguments);
  };
}

/**
 * The state of a response, reached through `res.req` (set by Node since 15.7): the state lives on
 * the request only — adding a property to these large objects is a measurable part of the
 * per-request cost, so it is done once, not twice.
 */
function stateOfResponse(res: ServerResponse): HttpServerSpan | undefined {
  const req = res.req as (IncomingMessage & WithState) | undefined;
  if (req === undefined || req === null) return undefined;
  const st = req[kServerSpan];
  return st !== undefined && st.res === res && !st.finished ? st : undefined;
}

/**
 * Everything HTTP server plugins share: extract the incoming context, start the `server` span
 * as the child of the remote span (client `0.1` → server `0.1.1`; no context → root `0`), set
 * `request.url`, `method`, sizes, `result.code`, `error`, and finish exactly once when the
 * response closes. Create one per plugin instance; call {@link start} per request.
 */
export class HttpServerTracing {
  /** See {@link HttpServerTracingOptions.beforeFinish}. */
  readonly beforeFinish: ((st: HttpServerSpan) => void) | undefined;
  private readonly redactor: QueryRedactor;
  private readonly ignoreSet: ReadonlySet<string> | undefined;
  private readonly ignoreRegexps: readonly RegExp[] | undefined;
  private readonly ignoreFn: ((path: string, req: IncomingMessage) => boolean) | undefined;
  private readonly formatFilter: HeaderFormatFilter | undefined;
  private readonly logType: string;
  private readonly customTags: HttpServerTracingOptions['customTags'];

  constructor(
    readonly tracer: Tracer,
    options: HttpServerTracingOptions,
  ) {
    installResponseCounting();
    this.beforeFinish = options.beforeFinish;
    this.logType = options.logType;
    this.redactor = new QueryRedactor(options.redactQuery);
    this.customTags = options.customTags;
    this.formatFilter = options.extractFormats ? new HeaderFormatFilter(options.extractFormats) : undefined;
    const ignore = options.ignorePaths;
    if (typeof ignore === 'function') {
      this.ignoreFn = ignore;
    } else if (Array.isArray(ignore) && ignore.length > 0) {
      const strings = ignore.filter((p): p is string => typeof p === 'string');
      const regexps = ignore.filter((p): p is RegExp => p instanceof RegExp);
      this.ignoreSet = strings.length > 0 ? new Set(strings) : undefined;
      this.ignoreRegexps = regexps.length > 0 ? regexps : undefined;
    }
  }

  /** True when the request matches `ignorePaths`. */
  isIgnored(req: IncomingMessage): boolean {
    if (this.ignoreSet === undefined && this.ignoreRegexps === undefined && this.ignoreFn === undefined)
      return false;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    try {
      if (this.ignoreSet !== undefined && this.ignoreSet.has(path)) return true;
      if (this.ignoreRegexps !== undefined) {
        for (const r of this.ignoreRegexps) {
          r.lastIndex = 0;
          if (r.test(path)) return true;
        }
      }
      return this.ignoreFn !== undefined && this.ignoreFn(path, req) === true;
    } catch (e) {
      tracingFault(this.tracer, e);
      return false;
    }
  }

  /**
   * Starts the server span of one request, or returns `undefined` for ignored paths (and if the
   * tracer fails — a tracing fault never reaches the application). The caller makes
   * `state.span` current for the rest of the request (`tracer.withSpan`).
   */
  start(req: IncomingMessage, res: ServerResponse): HttpServerSpan | undefined {
    if (this.isIgnored(req)) return undefined;
    const existing = (req as WithState)[kServerSpan];
    if (existing !== undefined) return existing; // the plugin was mounted twice: one span
    try {
      const tracer = this.tracer;
      let parent: SpanContext | null = null;
      try {
        parent = tracer.extract(
          'http_headers',
          this.formatFilter ? this.formatFilter.filter(req.headers) : req.headers,
        );
      } catch (e) {
        tracingFault(tracer, e);
      }
      const method = req.method ?? 'GET';
      const reqSize = requestBodySize(req);
      // literal keys (the values of HttpTags): a fast object shape, no computed-key dictionary
      const span = tracer.startSpan(method, {
        kind: 'server',
        childOf: parent,
        logType: this.logType,
        // every field finish() sets is present from the start: one object shape for all server
        // spans, so finishing overwrites fields instead of growing the object
        tags: {
          'request.url': serverRequestUrl(req, this.redactor),
          method,
          'req.size.bytes': reqSize === -2 ? -1 : reqSize,
          'resp.size.bytes': -1,
          route: UNMATCHED_ROUTE,
        },
      });
      if (this.customTags !== undefined) {
        try {
          const extra = this.customTags(req);
          if (extra) span.setTags(extra);
        } catch (e) {
          tracingFault(tracer, e);
        }
      }
      const st = new HttpServerSpan(span, req, res, this, reqSize);
      (req as WithState)[kServerSpan] = st;
      activeServerSpans++;
      return st;
    } catch (e) {
      tracingFault(this.tracer, e);
      return undefined;
    }
  }
}

/** The traced state of a request, if a server plugin started one. */
export function getHttpServerSpan(req: IncomingMessage): HttpServerSpan | undefined {
  return (req as WithState)[kServerSpan];
}

/**
 * Request body size known up front: `content-length`, 0 without a body, -2 = chunked (count
 * the bytes as they arrive).
 */
function requestBodySize(req: IncomingMessage): number {
  const h = req.headers;
  const cl = h['content-length'];
  if (cl !== undefined) return parseContentLength(cl);
  return h['transfer-encoding'] !== undefined ? -2 : 0;
}
