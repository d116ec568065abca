import { HttpTags, UNMATCHED_ROUTE, type ReadableSpan, type SpanListener } from '@sofa-tracer/core';
import type { Registry } from '../api/registry';
import type { Counter, Timer } from '../api/types';
import { HandleCache } from './handle-cache';
import { LabelGuard } from './label-guard';

// Copied into module constants so the per-span path does no property lookups on HttpTags.
const TAG_METHOD = HttpTags.METHOD;
const TAG_ROUTE = HttpTags.ROUTE;
const TAG_URL = HttpTags.URL;
const TAG_REMOTE_HOST = HttpTags.REMOTE_HOST;
const NO_STATUS = 'none';

/** Options of the span metrics. */
export interface SpanMetricsOptions {
  /** `code` (`200`, default) or `class` (`2xx`) in the `status_code` label. Non-HTTP codes (`03`, `99`) stay as they are. */
  statusLabel?: 'code' | 'class';
  /** Distinct values allowed per label per family before values collapse to `OTHER`. Default 100. */
  maxLabelValues?: number;
  /** Duration histogram buckets, seconds. Default prom-client's `[0.005 … 10]`. */
  buckets?: readonly number[];
  /** Overrides the error rule for every family. */
  isError?: (span: ReadableSpan) => boolean;
}

interface Handles {
  readonly requests: Counter;
  readonly duration: Timer & { recordSeconds?(seconds: number): void };
  /** Created on the first error, so error-free series add no `_errors_total` series. */
  errors: Counter | undefined;
  readonly tags: Readonly<Record<string, string>>;
}

interface FamilyDef {
  /** Name in the overflow metric's `family` label. */
  readonly family: string;
  readonly requests: string;
  readonly duration: string;
  readonly errors: string;
  /** Tag keys, in cache order. */
  readonly labels: readonly string[];
  readonly help: readonly [string, string, string];
}

const HTTP_SERVER: FamilyDef = {
  family: 'http_server',
  requests: 'http.server.requests',
  duration: 'http.server.request.duration',
  errors: 'http.server.errors',
  labels: ['app', 'method', 'route', 'status_code'],
  help: [
    'HTTP server requests, from server spans of any plugin',
    'HTTP server request duration in seconds',
    'HTTP server requests that failed (status >= 500 or an error recorded)',
  ],
};

const HTTP_CLIENT: FamilyDef = {
  family: 'http_client',
  requests: 'http.client.requests',
  duration: 'http.client.request.duration',
  errors: 'http.client.errors',
  labels: ['app', 'method', 'target_host', 'status_code'],
  help: [
    'HTTP client requests, from client spans of any plugin',
    'HTTP client request duration in seconds',
    'HTTP client requests that failed (status >= 400, timeout 03, network error 99, or an error recorded)',
  ],
};

const GENERIC: FamilyDef = {
  family: 'span',
  requests: 'tracer.span.requests',
  duration: 'tracer.span.duration',
  errors: 'tracer.span.errors',
  labels: ['app', 'log_type', 'kind', 'operation', 'result_code'],
  help: [
    'Finished spans of non-HTTP plugins, by log type',
    'Duration of finished non-HTTP spans in seconds',
    'Non-HTTP spans that failed (an error recorded or result code 99 / >= 500)',
  ],
};

/** Name of the counter of label values collapsed by the cardinality guard. */
export const LABEL_OVERFLOW_METRIC = 'lookout.span.metrics.label.overflow';

const STATUS_CLASS = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx', '6xx', '7xx', '8xx', '9xx'];

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** True for a three-digit status code string. */
function isHttpStatus(code: string): boolean {
  return (
    code.length === 3 &&
    isDigit(code.charCodeAt(0)) &&
    isDigit(code.charCodeAt(1)) &&
    isDigit(code.charCodeAt(2))
  );
}

function hasError(span: ReadableSpan): boolean {
  return span.error !== undefined && span.error !== null;
}

class Family {
  readonly guards: LabelGuard[];
  readonly cache = new HandleCache<Handles>();

  constructor(
    readonly def: FamilyDef,
    max: number,
    registry: Registry,
  ) {
    this.guards = def.labels.map(
      (label) =>
        new LabelGuard(max, () =>
          registry.counter(registry.createId(LABEL_OVERFLOW_METRIC, { family: def.family, label }), {
            description: 'Span metric label values collapsed to OTHER by the cardinality guard',
          }),
        ),
    );
  }
}

/**
 * The span listener that turns finished spans of every plugin into RED metrics: HTTP server
 * spans → `http_server_*` (app, method, route template, status), HTTP client spans →
 * `http_client_*` (app, method, target host, status), any other span → `tracer_span_*` keyed by
 * log type. Label values are capped per label; the per-span path allocates nothing once a label
 * combination has been seen. It never throws into the tracer.
 */
export class SpanMetricsListener implements SpanListener {
  private readonly server: Family;
  private readonly client: Family;
  private readonly generic: Family;
  private readonly statusClass: boolean;
  private readonly isError: ((span: ReadableSpan) => boolean) | undefined;
  private readonly buckets: readonly number[] | undefined;
  private readonly defaultApp: string;

  constructor(
    private readonly registry: Registry,
    options: SpanMetricsOptions = {},
  ) {
    const max =
      options.maxLabelValues !== undefined && options.maxLabelValues > 0
        ? Math.floor(options.maxLabelValues)
        : 100;
    this.server = new Family(HTTP_SERVER, max, registry);
    this.client = new Family(HTTP_CLIENT, max, registry);
    this.generic = new Family(GENERIC, max, registry);
    this.statusClass = options.statusLabel === 'class';
    this.isError = options.isError;
    this.buckets = options.buckets;
    this.defaultApp = registry.commonTags.app ?? '';
  }

  onSpanReport(span: ReadableSpan): void {
    try {
      const tags = span.tags;
      const method = tags[TAG_METHOD];
      const kind = span.kind;
      if (
        typeof method === 'string' &&
        (kind === 'server' || kind === 'client') &&
        (tags[TAG_URL] !== undefined || tags[TAG_ROUTE] !== undefined || tags[TAG_REMOTE_HOST] !== undefined)
      ) {
        if (kind === 'server') {
          const route = tags[TAG_ROUTE];
          this.recordHttp(
            this.server,
            span,
            method,
            typeof route === 'string' && route !== '' ? route : UNMATCHED_ROUTE,
            false,
          );
        } else {
          const host = tags[TAG_REMOTE_HOST];
          this.recordHttp(
            this.client,
            span,
            method,
            host === undefined || host === '' ? 'unknown' : String(host),
            true,
          );
        }
      } else {
        this.recordGeneric(span);
      }
    } catch {
      // Metrics must never break the tracer's reporting pipeline.
    }
  }

  private status(code: string): string {
    if (code === '') return NO_STATUS;
    if (this.statusClass && isHttpStatus(code)) return STATUS_CLASS[code.charCodeAt(0) - 48];
    return code;
  }

  private recordHttp(f: Family, span: ReadableSpan, method: string, third: string, client: boolean): void {
    const code = span.resultCode;
    const app = span.localApp || this.defaultApp;
    const status = this.status(code);
    // Fast path: raw values seen before are cached as they are (they passed the guards then).
    let h = f.cache.get(app, method, third, status, '');
    if (h === undefined) h = this.guarded(f, app, method, third, status, '');
    this.record(
      h,
      f,
      span,
      this.isError ? this.isError(span) : client ? isClientError(span, code) : isServerError(span, code),
    );
  }

  private recordGeneric(span: ReadableSpan): void {
    const f = this.generic;
    const app = span.localApp || this.defaultApp;
    const lt = span.logType || 'unknown';
    const rc = span.resultCode === '' ? NO_STATUS : span.resultCode;
    let h = f.cache.get(app, lt, span.kind, span.operationName, rc);
    if (h === undefined) h = this.guarded(f, app, lt, span.kind, span.operationName, rc);
    this.record(h, f, span, this.isError ? this.isError(span) : isGenericError(span));
  }

  /**
   * Slow path of a new label combination: each value goes through its label's guard (cap,
   * length cut). When nothing was changed the combination is cached under its raw values, so the
   * next span with them takes the fast path; collapsed combinations are only cached under their
   * guarded values, which keeps the cache bounded by the caps.
   */
  private guarded(f: Family, a: string, b: string, c: string, d: string, e: string): Handles {
    const g = f.guards;
    const ga = g[0].value(a);
    const gb = g[1].value(b);
    const gc = g[2].value(c);
    const gd = g[3].value(d);
    const ge = g.length > 4 ? g[4].value(e) : e;
    let h = f.cache.get(ga, gb, gc, gd, ge);
    if (h === undefined) {
      const names = f.def.labels;
      const tags: Record<string, string> = { [names[0]]: ga, [names[1]]: gb, [names[2]]: gc, [names[3]]: gd };
      if (names.length > 4) tags[names[4]] = ge;
      h = this.handles(f, tags);
      // Past the registry's max-metrics limit the handles are no-ops: not cached, so the cache
      // stays bounded by the limit instead of growing with every new combination.
      if (h.requests.noop) return h;
      f.cache.set(ga, gb, gc, gd, ge, h);
    }
    return h;
  }

  private handles(f: Family, tags: Record<string, string>): Handles {
    const r = this.registry;
    const d = f.def;
    return {
      requests: r.counter(r.createId(d.requests, tags), { description: d.help[0] }),
      duration: r.timer(r.createId(d.duration, tags), { description: d.help[1], buckets: this.buckets }),
      errors: undefined,
      tags,
    };
  }

  private record(h: Handles, f: Family, span: ReadableSpan, error: boolean): void {
    h.requests.inc();
    const seconds = span.durationMs / 1000;
    if (h.duration.recordSeconds !== undefined) h.duration.recordSeconds(seconds);
    else h.duration.record(seconds, 's');
    if (error) {
      if (h.errors === undefined)
        h.errors = this.registry.counter(this.registry.createId(f.def.errors, h.tags), {
          description: f.def.help[2],
        });
      h.errors.inc();
    }
  }
}

function isServerError(span: ReadableSpan, code: string): boolean {
  return hasError(span) || (isHttpStatus(code) && code.charCodeAt(0) >= 53);
}

function isClientError(span: ReadableSpan, code: string): boolean {
  if (hasError(span) || code === '' || code === '03' || code === '99') return true;
  return isHttpStatus(code) && code.charCodeAt(0) >= 52;
}

function isGenericError(span: ReadableSpan): boolean {
  const code = span.resultCode;
  return hasError(span) || code === '99' || (isHttpStatus(code) && code.charCodeAt(0) >= 53);
}
