import { toW3cSpanId, toW3cTraceId } from '../ids/id-mapping';
import { isLowerHexId } from '../ids/validate';
import { parentIdOf, type SpanContext } from '../span/span-context';
import { safeSet, toReader, toWriter } from './carrier';
import {
  guardedCodec,
  type CarrierGetter,
  type CarrierReader,
  type CarrierSetter,
  type CarrierWriter,
  type CodecOptions,
  type PropagationCodec,
} from './codec';
import { remoteContext } from './remote';
import { firstElement } from './text';

/**
 * `b3`: standard Zipkin B3 with hex ids.
 *
 * Extract, the single `b3` header first (`{traceId}-{spanId}[-{sampling}[-{parentSpanId}]]`,
 * sampling `0|1|d`), then the multi headers (`X-B3-TraceId` 16/32 hex, `X-B3-SpanId` 16 hex,
 * `X-B3-ParentSpanId` 16 hex, `X-B3-Sampled` `0|1` (legacy `true|false` accepted),
 * `X-B3-Flags: 1` = debug, which implies sampled). Ids must be lowercase hex, not all zero.
 * The remote span id is the hex span id itself (the server span becomes `<hex>.1`); the parent id
 * is the given hex parent or `""`. Sampling absent → sampled (our sampler decided upstream rules
 * for SOFA; B3 "defer" has no separate state here). A sampling-only header (`b3: 0`) carries no
 * ids and yields no context.
 *
 * Inject writes only the single `b3` header: `{traceId}-{spanId}-{1|0}[-{parentSpanId}]` with the
 * trace id kept when it is already 16/32 lowercase hex (else `toW3cTraceId`) and the span/parent
 * ids mapped with `toW3cSpanId`. It never writes `X-B3-*` (those carry SOFA ids in `sofa-b3`).
 */

/** Header name of the single-header form. */
export const B3_SINGLE_HEADER = 'b3';

function isTraceHex(s: string): boolean {
  return isLowerHexId(s, 32) || isLowerHexId(s, 16);
}

function parseSingle(raw: string, options: CodecOptions): SpanContext | null {
  const s = firstElement(raw);
  if (s.length < 3) return null; // `0`, `1`, `d`: sampling only, no ids
  const parts = s.split('-');
  if (parts.length < 2 || parts.length > 4) return null;
  const [traceId, spanId, sampling, parent] = parts;
  if (!isTraceHex(traceId) || !isLowerHexId(spanId, 16)) return null;
  let sampled = true;
  if (sampling !== undefined) {
    if (sampling === '0') sampled = false;
    else if (sampling !== '1' && sampling !== 'd') return null;
  }
  let parentId = '';
  if (parent !== undefined) {
    if (!isLowerHexId(parent, 16)) return null;
    parentId = parent;
  }
  return remoteContext(traceId, spanId, parentId, sampled, undefined, undefined, options);
}

function parseMulti(reader: CarrierReader, options: CodecOptions): SpanContext | null {
  const rawTrace = reader.get('x-b3-traceid');
  const rawSpan = reader.get('x-b3-spanid');
  if (rawTrace === undefined || rawSpan === undefined) return null;
  const traceId = firstElement(rawTrace);
  const spanId = firstElement(rawSpan);
  if (!isTraceHex(traceId) || !isLowerHexId(spanId, 16)) return null;
  const rawParent = reader.get('x-b3-parentspanid');
  const parent = rawParent === undefined ? '' : firstElement(rawParent);
  const parentId = isLowerHexId(parent, 16) ? parent : '';
  let sampled = true;
  const flags = reader.get('x-b3-flags');
  if (flags === undefined || firstElement(flags) !== '1') {
    const rawSampled = reader.get('x-b3-sampled');
    if (rawSampled !== undefined) {
      const v = firstElement(rawSampled).toLowerCase();
      sampled = v === '1' || v === 'true';
    }
  }
  return remoteContext(traceId, spanId, parentId, sampled, undefined, undefined, options);
}

function extract(get: CarrierGetter | CarrierReader, options: CodecOptions): SpanContext | null {
  const reader = toReader(get);
  const single = reader.get(B3_SINGLE_HEADER);
  if (single !== undefined) {
    const ctx = parseSingle(single, options);
    if (ctx !== null) return ctx;
  }
  return parseMulti(reader, options);
}

/** The single `b3` header value for a context. */
export function formatB3Single(context: SpanContext): string {
  const t = context.traceId;
  const traceId = isTraceHex(t) ? t : toW3cTraceId(t);
  let out = traceId + '-' + toW3cSpanId(context.spanId) + (context.sampled ? '-1' : '-0');
  const parent = context.parentId !== '' ? context.parentId : parentIdOf(context.spanId);
  if (parent !== '') out += '-' + toW3cSpanId(parent);
  return out;
}

function inject(context: SpanContext, set: CarrierSetter | CarrierWriter): void {
  safeSet(toWriter(set), B3_SINGLE_HEADER, formatB3Single(context));
}

/** The `b3` codec (standard hex B3). */
export const b3Codec: PropagationCodec = guardedCodec('b3', extract, inject);
