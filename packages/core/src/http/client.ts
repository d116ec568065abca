import type { CarrierFormat, Span, Tracer } from '../tracer/types';
import type { TagValue } from '../span/readable-span';
import { clientErrorResultCode, HttpResultCodes } from './result-codes';
import { HttpTags } from './tags';
import { HostMatcher, QueryRedactor, type HostPattern, type QueryRedaction } from './url';

/** Options every HTTP client instrumentation shares. */
export interface HttpClientTracingOptions {
  /** Trace only calls made while a span is active (no root client spans). Default false. */
  requireParent?: boolean;
  /**
   * Hosts that receive trace headers: exact host or `host:port`, `*.example.com`, RegExp, or a
   * predicate on `host:port`. Calls to other hosts are still traced, but carry no trace headers.
   * Default: every host.
   */
  propagateTo?: readonly HostPattern[] | ((hostPort: string) => boolean);
  /** Query string handling in `request.url`; default `true` (dropped). */
  redactQuery?: QueryRedaction;
  /** URLs that get no span and no headers (e.g. the Zipkin collector): prefixes, RegExps or a predicate. */
  ignoreUrls?: readonly (string | RegExp)[] | ((url: string) => boolean);
  /** Extra tags per call, from its method and full URL. Exceptions are self-logged. */
  customTags?: (method: string, url: string) => Record<string, TagValue> | undefined | void;
}

/** What the instrumentation knows about an outgoing request when it starts. */
export interface HttpClientRequestInfo {
  /** Upper-case method. */
  method: string;
  /** `http:` or `https:`. */
  protocol: string;
  /** Host name without port. */
  hostname: string;
  /**
   * `host[:port]` of the real connection target (the port left out when it is the protocol's
   * default) — not a `Host` header the caller set, which may name another host.
   */
  hostPort: string;
  /** Path and query, starting with `/`. */
  path: string;
  /** Request body bytes when known up front; -1 when unknown. */
  requestSize: number;
}

/** Text of the `error` field when a response body ended early without an error object. */
export const INCOMPLETE_RESPONSE_ERROR = 'response ended before its body was complete';
/** Text of the `error` field when the caller aborted without an error object. */
export const CALLER_ABORTED_ERROR = 'request aborted by the caller';
/** Text of the `error` field when the request closed without any response or error. */
export const NO_RESPONSE_ERROR = 'request closed without a response';

let activeClientSpans = 0;

/** Client spans started and not yet finished, process-wide (for leak tests and diagnostics). */
export function activeHttpClientSpanCount(): number {
  return activeClientSpans;
}

/**
 * The per-call state of a traced outgoing request. Instrumentations feed it (response status,
 * sizes, errors) and call {@link finish} from the terminal event; `finish` is idempotent.
 */
export class HttpClientSpan {
  /** Request body bytes (-1 unknown). */
  requestBytes: number;
  /** Response body bytes (-1 unknown until the response ends). */
  responseBytes = -1;
  /** HTTP status, 0 before a response. */
  status = 0;
  error: unknown = undefined;
  hasError = false;
  /** Set when the request reported a timeout before it ended. */
  timedOut = false;
  /** Set when the caller aborted (without an error object). */
  aborted = false;
  finished = false;

  /** @internal created by {@link HttpClientTracing.start}. */
  constructor(
    readonly span: Span,
    requestBytes: number,
  ) {
    this.requestBytes = requestBytes;
  }

  /** Records the error that ended the call (first one wins; the error object is not changed). */
  recordError(error: unknown): void {
    if (this.hasError || error === undefined || error === null) return;
    this.hasError = true;
    this.error = error;
  }

  /**
   * Ends the span once. `complete` says whether the response body arrived in full.
   * Result code: the HTTP status; `03` timeout; `499` aborted by the caller; `99` network error
   * or a body cut short.
   */
  finish(complete: boolean): void {
    if (this.finished) return;
    this.finished = true;
    activeClientSpans--;
    const span = this.span;
    try {
      span.setTag(HttpTags.REQUEST_SIZE, this.requestBytes);
      span.setTag(HttpTags.RESPONSE_SIZE, this.responseBytes);
      if (this.hasError) {
        span.setError(this.error);
        span.setResultCode(clientErrorResultCode(this.error, this.timedOut));
      } else if (this.aborted) {
        span.setTag(HttpTags.ERROR, CALLER_ABORTED_ERROR);
        span.setResultCode(this.timedOut ? HttpResultCodes.TIMEOUT : HttpResultCodes.CLIENT_ABORTED);
      } else if (this.status > 0 && complete) {
        span.setResultCode(this.status);
      } else {
        span.setTag(HttpTags.ERROR, this.status > 0 ? INCOMPLETE_RESPONSE_ERROR : NO_RESPONSE_ERROR);
        span.setResultCode(this.timedOut ? HttpResultCodes.TIMEOUT : HttpResultCodes.NETWORK_ERROR);
      }
    } catch {
      // a tag failure must not keep the span open
    }
    span.finish();
  }
}

/** Writes one header into an instrumentation's request object (a module-level function, not a closure). */
export type HeaderWriter<T> = (target: T, name: string, value: string) => void;

/**
 * Removes every trace header (see `isTraceHeader`) already on an instrumentation's request
 * object: headers the application copied (e.g. forwarded from the incoming request).
 */
export type TraceHeaderRemover<T> = (target: T) => void;

/** Writes injected headers through a writer; one reusable instance, no closure per call. */
class InjectCarrier {
  writer: HeaderWriter<unknown> | undefined = undefined;
  target: unknown = undefined;
  get(): null {
    return null;
  }
  set(name: string, value: string): void {
    if (this.writer !== undefined) this.writer(this.target, name, value);
  }
}

const HTTP_HEADERS: CarrierFormat = 'http_headers';

/**
 * Everything HTTP client instrumentations share: start a `client` span as the child of the
 * active span (or a root unless `requireParent`), decide whether trace headers may go to the
 * target host, inject them, and map the outcome to a result code. One per instrumentation.
 */
export class HttpClientTracing {
  private readonly redactor: QueryRedactor;
  private readonly hosts: HostMatcher;
  private readonly requireParent: boolean;
  private readonly ignorePrefixes: readonly string[];
  private readonly ignoreRegexps: readonly RegExp[];
  private readonly ignoreFn: ((url: string) => boolean) | undefined;
  private readonly customTags: HttpClientTracingOptions['customTags'];
  private readonly carrier = new InjectCarrier();

  /**
   * @param getTracer returns the tracer to use, or `undefined` while none exists (then calls
   *   are not traced) — so instrumentation can be installed before `init()`.
   */
  constructor(
    private readonly getTracer: () => Tracer | undefined,
    options: HttpClientTracingOptions = {},
  ) {
    this.redactor = new QueryRedactor(options.redactQuery);
    this.hosts = new HostMatcher(options.propagateTo);
    this.requireParent = options.requireParent === true;
    this.customTags = options.customTags;
    const ignore = options.ignoreUrls;
    this.ignoreFn = typeof ignore === 'function' ? ignore : undefined;
    this.ignorePrefixes = Array.isArray(ignore)
      ? ignore.filter((p): p is string => typeof p === 'string')
      : [];
    this.ignoreRegexps = Array.isArray(ignore) ? ignore.filter((p): p is RegExp => p instanceof RegExp) : [];
  }

  /** The tracer, if one is running. */
  tracer(): Tracer | undefined {
    try {
      return this.getTracer();
    } catch {
      return undefined;
    }
  }

  /**
   * Starts the span of one outgoing call and, when the host is allowed, injects trace headers
   * with `writer(target, name, value)`. Returns `undefined` when the call is not traced.
   * When the call is traced and `remove` is given, trace headers already on the request are
   * removed first (whether or not the host is allowed): the tracer's own headers replace them,
   * so copied headers never bypass the allow-list or the baggage limits. Never throws.
   */
  start<T>(
    info: HttpClientRequestInfo,
    writer?: HeaderWriter<T>,
    target?: T,
    remove?: TraceHeaderRemover<T>,
  ): HttpClientSpan | undefined {
    const tracer = this.tracer();
    if (tracer === undefined) return undefined;
    try {
      const parent = tracer.activeSpan();
      if (parent === undefined && this.requireParent) return undefined;
      const origin = info.protocol + '//' + info.hostPort;
      if (this.isIgnored(origin + info.path)) return undefined;
      const url = this.redactor.apply(origin + info.path);
      const span = tracer.startSpan(info.method, {
        kind: 'client',
        childOf: parent ?? null,
        logType: 'httpclient',
        tags: { 'request.url': url, method: info.method, 'remote.host': info.hostPort },
      });
      if (this.customTags !== undefined) {
        try {
          const extra = this.customTags(info.method, url);
          if (extra) span.setTags(extra);
        } catch (e) {
          tracer.selfLog.error('httpclient customTags failed', e);
        }
      }
      if (remove !== undefined) {
        try {
          remove(target as T);
        } catch {
          // a request object that refuses removal still gets the tracer's headers (same names replace)
        }
      }
      if (writer !== undefined && this.hosts.matches(info.hostname, info.hostPort)) {
        const carrier = this.carrier;
        carrier.writer = writer as HeaderWriter<unknown>;
        carrier.target = target;
        try {
          tracer.inject(span.context(), HTTP_HEADERS, carrier);
        } finally {
          carrier.writer = undefined;
          carrier.target = undefined;
        }
      }
      activeClientSpans++;
      return new HttpClientSpan(span, info.requestSize);
    } catch (e) {
      try {
        tracer.selfLog.error('http client tracing failed; the call goes out untraced', e);
      } catch {
        // nothing more to do
      }
      return undefined;
    }
  }

  private isIgnored(url: string): boolean {
    for (const p of this.ignorePrefixes) if (url.startsWith(p)) return true;
    for (const r of this.ignoreRegexps) {
      r.lastIndex = 0;
      if (r.test(url)) return true;
    }
    if (this.ignoreFn !== undefined) {
      try {
        return this.ignoreFn(url) === true;
      } catch {
        return false;
      }
    }
    return false;
  }
}
