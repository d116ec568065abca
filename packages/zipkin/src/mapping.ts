import { isIPv4, isIPv6 } from 'node:net';
import { jsonString, toW3cSpanId, toW3cTraceId, type ReadableSpan } from '@sofa-tracer/core';
import type { ZipkinEndpoint, ZipkinKind, ZipkinSpan } from './zipkin-span';

/**
 * SOFA span → Zipkin v2 span, as Java's `ZipkinV2SpanAdapter` does, with its bugs fixed:
 *
 * - `traceId`: core's W3C mapping (trailing `T` stripped, left-padded to 32 hex), so a trace that
 *   entered as W3C keeps its 32-hex id and joins its OTel peers; 16 when the high half is zero
 *   (a 64-bit B3 id stays 64-bit, as Java pads short ids to 16).
 * - `id` / `parentId`: FNV-1a 64 of the dotted ids (a foreign 16-hex parent maps to itself).
 * - `kind`: SERVER / CLIENT / PRODUCER / CONSUMER from the span's kind (Java: CLIENT for every
 *   non-server span, MQ included); MQ log types whose plugin left the kind at client are mapped by
 *   name; local spans have no kind.
 * - `timestamp` integer epoch µs, `duration` integer µs from the monotonic clock, at least 1
 *   (Java: ms × 1000, often 0).
 * - `remoteEndpoint` for client and messaging spans (Java has none).
 * - tags: every tag as a string, `result.code`, `origin.span.id`, `origin.parent.span.id` and
 *   every baggage entry (span tags win over a baggage key of the same name); an empty `error`
 *   tag is left out because Zipkin marks any span with an `error` tag as failed.
 * - span logs → annotations (each field value at the record's time, duplicates removed).
 */
export function toZipkinSpan(span: ReadableSpan, ipv4: string | undefined): ZipkinSpan {
  return JSON.parse(encodeZipkinSpan(span, localEndpointJson(span.localApp, ipv4))) as ZipkinSpan;
}

/** `{"serviceName":…,"ipv4":…}`: computed once per app name by the reporter, not per span. */
export function localEndpointJson(serviceName: string, ipv4: string | undefined): string {
  return '{"serviceName":' + jsonString(serviceName) + (ipv4 ? ',"ipv4":' + jsonString(ipv4) : '') + '}';
}

// Tags the adapter writes itself; a span tag of the same name is left out (ours win).
const ORIGIN_SPAN = 'origin.span.id';
const ORIGIN_PARENT = 'origin.parent.span.id';
const RESULT_CODE = 'result.code';

/**
 * The Zipkin v2 JSON of one span (see {@link toZipkinSpan} for the rules), built in one pass by
 * concatenation: the listener runs on the request path, and this is several times cheaper than
 * building an object and `JSON.stringify`-ing it.
 */
export function encodeZipkinSpan(span: ReadableSpan, localEndpoint: string): string {
  const ctx = span.context();
  let out = '{"traceId":"' + zipkinTraceId(ctx.traceId) + '"';
  if (ctx.parentId !== '') out += ',"parentId":"' + toW3cSpanId(ctx.parentId) + '"';
  out += ',"id":"' + toW3cSpanId(ctx.spanId) + '"';
  const kind = zipkinKind(span);
  if (kind !== undefined) out += ',"kind":"' + kind + '"';
  out += ',"name":' + jsonString(String(span.operationName));
  out += ',"timestamp":' + zipkinMicros(span.startTime) + ',"duration":' + zipkinDuration(span.durationMs);
  out += ',"localEndpoint":' + localEndpoint;
  if (kind !== undefined) {
    const remote = remoteEndpoint(kind, span);
    if (remote !== undefined) out += ',"remoteEndpoint":' + endpointJson(remote);
  }
  if (span.logs.length) out += annotationsJson(span);
  return out + ',"tags":{' + tagsJson(span) + '}}';
}

function tagsJson(span: ReadableSpan): string {
  const ctx = span.context();
  const resultCode = span.resultCode;
  const tags = span.tags;
  let out = '';
  if (ctx.sysBaggageSize === 0 && ctx.bizBaggageSize === 0) {
    // No baggage (most spans): the span's tags are unique keys already.
    for (const k in tags) {
      const v = tags[k];
      if (v === undefined || v === null || k === ORIGIN_SPAN || k === ORIGIN_PARENT) continue;
      if (k === RESULT_CODE && resultCode !== '') continue;
      const text = typeof v === 'string' ? v : String(v);
      if (k === 'error' && text === '') continue;
      out += jsonString(k) + ':' + jsonString(text) + ',';
    }
  } else {
    const merged = new Map<string, string>();
    if (ctx.sysBaggageSize) for (const [k, v] of ctx.sysBaggage) merged.set(k, v);
    if (ctx.bizBaggageSize) for (const [k, v] of ctx.bizBaggage) merged.set(k, v);
    for (const k in tags) {
      const v = tags[k];
      if (v !== undefined && v !== null) merged.set(k, typeof v === 'string' ? v : String(v));
    }
    merged.delete(ORIGIN_SPAN);
    merged.delete(ORIGIN_PARENT);
    if (resultCode !== '') merged.delete(RESULT_CODE);
    if (merged.get('error') === '') merged.delete('error');
    for (const [k, v] of merged) out += jsonString(k) + ':' + jsonString(v) + ',';
  }
  if (resultCode !== '') out += '"result.code":' + jsonString(resultCode) + ',';
  return (
    out +
    '"origin.span.id":' +
    jsonString(ctx.spanId) +
    ',"origin.parent.span.id":' +
    jsonString(ctx.parentId)
  );
}

function annotationsJson(span: ReadableSpan): string {
  const seen = new Set<string>();
  let out = '';
  for (const log of span.logs) {
    const ts = zipkinMicros(log.time);
    for (const key in log.fields) {
      const value = String(log.fields[key]);
      const dedupe = ts + ' ' + value;
      if (seen.has(dedupe)) continue;
      seen.add(dedupe);
      out += (out === '' ? '' : ',') + '{"timestamp":' + ts + ',"value":' + jsonString(value) + '}';
    }
  }
  return out === '' ? '' : ',"annotations":[' + out + ']';
}

function endpointJson(ep: ZipkinEndpoint): string {
  const parts: string[] = [];
  if (ep.serviceName !== undefined) parts.push('"serviceName":' + jsonString(ep.serviceName));
  if (ep.ipv4 !== undefined) parts.push('"ipv4":"' + ep.ipv4 + '"');
  if (ep.ipv6 !== undefined) parts.push('"ipv6":"' + ep.ipv6 + '"');
  if (ep.port !== undefined) parts.push('"port":' + ep.port);
  return '{' + parts.join(',') + '}';
}

/** Integer epoch µs of an epoch-ms time (now when the time is not a finite number). */
export function zipkinMicros(epochMs: number): number {
  const us = Math.round(epochMs * 1000);
  return Number.isFinite(us) ? us : Date.now() * 1000;
}

const ZERO16 = '0000000000000000';

/** Zipkin trace id: core's 32-hex W3C form, cut to 16 when its high half is zero. */
export function zipkinTraceId(traceId: string): string {
  const id = toW3cTraceId(traceId);
  return id.startsWith(ZERO16) ? id.slice(16) : id;
}

/** Integer µs, at least 1 (the spec's minimum; sub-µs spans are rounded up). */
export function zipkinDuration(durationMs: number): number {
  const us = Math.round(durationMs * 1000);
  return Number.isFinite(us) && us >= 1 ? us : 1;
}

// MQ plugins whose spans were recorded with kind `client`: `kafkamq-send`, `rocketmq-consume`…
const MQ_LOG_TYPE = /kafka|mq/i;
const SEND_WORD = /send|produce|publish/i;
const CONSUME_WORD = /consume|receive/i;

/** Zipkin kind of a span: from its kind, else (MQ plugins) from its log type; none for local spans. */
export function zipkinKind(span: Pick<ReadableSpan, 'kind' | 'logType'>): ZipkinKind | undefined {
  switch (span.kind) {
    case 'server':
      return 'SERVER';
    case 'producer':
      return 'PRODUCER';
    case 'consumer':
      return 'CONSUMER';
    case 'client':
    case 'internal': {
      if (MQ_LOG_TYPE.test(span.logType)) {
        if (SEND_WORD.test(span.logType)) return 'PRODUCER';
        if (CONSUME_WORD.test(span.logType)) return 'CONSUMER';
      }
      return span.kind === 'client' ? 'CLIENT' : undefined;
    }
    default:
      return undefined;
  }
}

function remoteEndpoint(kind: ZipkinKind, span: ReadableSpan): ZipkinEndpoint | undefined {
  const tags = span.tags;
  const ep: ZipkinEndpoint = {};
  if (kind === 'CLIENT') {
    const app = tags['remote.app'];
    if (typeof app === 'string' && app !== '') ep.serviceName = app;
  } else if (kind === 'PRODUCER' || kind === 'CONSUMER') {
    // The broker: Zipkin (Brave) names it by the messaging system.
    if (/kafka/i.test(span.logType) || hasKafkaTag(tags)) ep.serviceName = 'kafka';
  } else {
    return undefined;
  }
  const hostPort = tags['remote.host'];
  if (typeof hostPort === 'string' && hostPort !== '') {
    const { host, port } = splitHostPort(hostPort);
    if (isIPv4(host)) ep.ipv4 = host;
    else if (isIPv6(host)) ep.ipv6 = host;
    else if (ep.serviceName === undefined && host !== '') ep.serviceName = host.toLowerCase();
    if (port !== undefined) ep.port = port;
  }
  return ep.serviceName !== undefined || ep.ipv4 !== undefined || ep.ipv6 !== undefined ? ep : undefined;
}

function hasKafkaTag(tags: Readonly<Record<string, unknown>>): boolean {
  for (const k in tags) if (k.startsWith('kafka.')) return true;
  return false;
}

/** `host:port`, `[v6]:port` or a bare host. Ports outside 1–65535 are left out. */
export function splitHostPort(value: string): { host: string; port: number | undefined } {
  let host = value;
  let portText = '';
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end > 0) {
      host = value.slice(1, end);
      if (value.charCodeAt(end + 1) === 58 /* : */) portText = value.slice(end + 2);
    }
  } else {
    const colon = value.lastIndexOf(':');
    // more than one colon without brackets: a bare IPv6 address
    if (colon > 0 && value.indexOf(':') === colon) {
      host = value.slice(0, colon);
      portText = value.slice(colon + 1);
    }
  }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  return { host, port: port >= 1 && port <= 65535 ? port : undefined };
}
