import { isIPv4, isIPv6 } from 'node:net';
import { toW3cSpanId, toW3cTraceId, type ReadableSpan } from '@sofa-tracer/core';
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
  const ctx = span.context();
  const tags: Record<string, string> = {};
  if (ctx.sysBaggageSize) for (const [k, v] of ctx.sysBaggage) tags[k] = v;
  if (ctx.bizBaggageSize) for (const [k, v] of ctx.bizBaggage) tags[k] = v;
  const spanTags = span.tags;
  for (const k in spanTags) {
    const v = spanTags[k];
    if (v === undefined || v === null) continue;
    tags[k] = typeof v === 'string' ? v : String(v);
  }
  if (tags.error === '') delete tags.error;
  if (span.resultCode !== '') tags['result.code'] = span.resultCode;
  tags['origin.span.id'] = ctx.spanId;
  tags['origin.parent.span.id'] = ctx.parentId;

  const localEndpoint: ZipkinEndpoint = { serviceName: span.localApp };
  if (ipv4) localEndpoint.ipv4 = ipv4;
  const out: ZipkinSpan = {
    traceId: zipkinTraceId(ctx.traceId),
    id: toW3cSpanId(ctx.spanId),
    name: span.operationName,
    timestamp: Math.round(span.startTime * 1000),
    duration: zipkinDuration(span.durationMs),
    localEndpoint,
    tags,
  };
  if (ctx.parentId !== '') out.parentId = toW3cSpanId(ctx.parentId);
  const kind = zipkinKind(span);
  if (kind !== undefined) {
    out.kind = kind;
    const remote = remoteEndpoint(kind, span);
    if (remote !== undefined) out.remoteEndpoint = remote;
  }
  if (span.logs.length) {
    const seen = new Set<string>();
    const annotations = [];
    for (const log of span.logs) {
      const ts = Math.round(log.time * 1000);
      for (const key in log.fields) {
        const value = String(log.fields[key]);
        const dedupe = ts + ' ' + value;
        if (seen.has(dedupe)) continue;
        seen.add(dedupe);
        annotations.push({ timestamp: ts, value });
      }
    }
    if (annotations.length) out.annotations = annotations;
  }
  return out;
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
