import { isValidSpanId, isValidTraceId } from '../ids/validate';
import type { SpanContext } from '../span/span-context';
import { escapeBaggage, unescapeBaggage } from './baggage';
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
import { quote, remoteContext, resolveParentId, safeWarn } from './remote';
import { firstElement, hasControlChars, isToken, javaUrlDecode, javaUrlEncode, trimOws } from './text';

/**
 * `sofa-b3`: the headers every Java SOFATracer HTTP plugin sends and expects — B3 header names
 * carrying SOFA ids (not hex):
 *
 * ```
 * X-B3-TraceId: 0a0fe9271567477985327100211176
 * X-B3-SpanId: 0.1
 * X-B3-ParentSpanId: 0
 * X-B3-Sampled: true
 * baggage-sys-<key>: <value>     (sys baggage)
 * baggage-<key>: <value>         (biz baggage)
 * ```
 *
 * Baggage keys and values are escaped like Java (`%`→`%25`, `&`→`%26`, `=`→`%3D`); values are then
 * URL-encoded (UTF-8, `java.net.URLEncoder`) when `options.urlEncode` (HTTP), raw for text maps.
 *
 * Differences from Java, on purpose:
 * - `baggage-sys-x` goes into sys baggage only (Java also put `sys-x` into biz baggage);
 * - ids are validated (bad trace id → no context; bad span id → `0`), baggage entries with control
 *   characters are dropped, and the configured baggage length limits are enforced;
 * - a biz key starting with `sys-` is not injected (it would arrive as sys baggage).
 */

/** Header names as Java writes them. */
export const SOFA_B3_HEADERS = {
  traceId: 'X-B3-TraceId',
  spanId: 'X-B3-SpanId',
  parentSpanId: 'X-B3-ParentSpanId',
  sampled: 'X-B3-Sampled',
  baggagePrefix: 'baggage-',
  sysBaggagePrefix: 'baggage-sys-',
} as const;

const BAGGAGE = 'baggage-';
const SYS_BAGGAGE = 'baggage-sys-';

/** `1`→true, `0`→false, else `true` (any case) → true, anything else false; absent → true. */
function parseSampled(raw: string | undefined): boolean {
  if (raw === undefined) return true;
  const v = firstElement(raw);
  if (v === '1') return true;
  if (v === '0') return false;
  return v.toLowerCase() === 'true';
}

function readId(reader: CarrierReader, name: string, urlEncode: boolean): string | undefined {
  const raw = reader.get(name);
  if (raw === undefined) return undefined;
  const v = firstElement(raw);
  return urlEncode && v.indexOf('%') >= 0 ? javaUrlDecode(v) : v;
}

function decodeValue(raw: string, urlEncode: boolean): string {
  // Over HTTP a value is URL-encoded, so a comma can only come from a proxy/Node joining duplicate
  // headers: keep the first. Raw text-map values may contain ", " legitimately.
  return unescapeBaggage(urlEncode ? javaUrlDecode(firstElement(raw)) : raw);
}

function extract(get: CarrierGetter | CarrierReader, options: CodecOptions): SpanContext | null {
  const reader = toReader(get);
  const urlEncode = options.urlEncode;
  const traceId = readId(reader, 'x-b3-traceid', urlEncode);
  if (traceId === undefined || !isValidTraceId(traceId)) return null;

  let spanId = readId(reader, 'x-b3-spanid', urlEncode);
  if (spanId === undefined || spanId === '') {
    spanId = '0';
  } else if (!isValidSpanId(spanId)) {
    safeWarn(
      options,
      `sofa-b3: ignoring invalid X-B3-SpanId ${quote(spanId)} (trace ${traceId}); continuing as span 0`,
    );
    spanId = '0';
  }
  const parentId = resolveParentId(readId(reader, 'x-b3-parentspanid', urlEncode), spanId);
  const sampled = parseSampled(reader.get('x-b3-sampled'));

  let sys: Map<string, string> | undefined;
  let biz: Map<string, string> | undefined;
  const keys = reader.keys ? reader.keys() : undefined;
  if (keys) {
    for (const name of keys) {
      // cheap pre-check before lowercasing: every baggage header starts with b/B
      if (name.length <= BAGGAGE.length || (name.charCodeAt(0) | 0x20) !== 98) continue;
      const lower = name.toLowerCase();
      if (!lower.startsWith(BAGGAGE)) continue;
      const isSys = lower.startsWith(SYS_BAGGAGE);
      // HTTP header names are case-insensitive (Node hands them over lowercase); text-map (Kafka)
      // names keep their case like Java's text-map extractor does.
      const key = unescapeBaggage(
        (urlEncode ? lower : name).slice(isSys ? SYS_BAGGAGE.length : BAGGAGE.length),
      );
      if (key === '' || hasControlChars(key)) continue;
      const target = isSys ? (sys ??= new Map()) : (biz ??= new Map());
      if (target.has(key)) continue; // first occurrence wins (same name in two cases)
      const raw = reader.get(lower);
      if (raw === undefined) continue;
      const value = decodeValue(raw, urlEncode);
      if (hasControlChars(value)) continue;
      target.set(key, value);
    }
  }
  return remoteContext(traceId, spanId, parentId, sampled, sys, biz, options);
}

function baggageHeader(
  prefix: string,
  key: string,
  value: string,
  urlEncode: boolean,
): [string, string] | undefined {
  if (key === '' || hasControlChars(key) || hasControlChars(value)) return undefined;
  const name = prefix + escapeBaggage(key);
  if (urlEncode && !isToken(name)) return undefined;
  const escaped = escapeBaggage(value);
  return [name, urlEncode ? javaUrlEncode(escaped) : escaped];
}

function inject(context: SpanContext, set: CarrierSetter | CarrierWriter, options: CodecOptions): void {
  const { traceId, spanId, parentId } = context;
  const writer = toWriter(set);
  const urlEncode = options.urlEncode;
  safeSet(writer, SOFA_B3_HEADERS.traceId, traceId);
  safeSet(writer, SOFA_B3_HEADERS.spanId, spanId);
  // Java sends the parent id even when empty
  safeSet(writer, SOFA_B3_HEADERS.parentSpanId, parentId === '' || isValidSpanId(parentId) ? parentId : '');
  safeSet(writer, SOFA_B3_HEADERS.sampled, context.sampled ? 'true' : 'false');
  let skipped: string[] | undefined;
  if (context.sysBaggageSize)
    for (const [k, v] of context.sysBaggage) {
      const h = baggageHeader(SYS_BAGGAGE, k, v, urlEncode);
      if (h) safeSet(writer, h[0], h[1]);
      else (skipped ??= []).push('sys ' + quote(k));
    }
  if (context.bizBaggageSize)
    for (const [k, v] of context.bizBaggage) {
      const h = trimOws(k).toLowerCase().startsWith('sys-')
        ? undefined
        : baggageHeader(BAGGAGE, k, v, urlEncode);
      if (h) safeSet(writer, h[0], h[1]);
      else (skipped ??= []).push('biz ' + quote(k));
    }
  if (skipped) {
    safeWarn(
      options,
      `sofa-b3: baggage entries not injected (key not a header token, control characters, or biz key starting with "sys-"): ${skipped.join(', ')}`,
    );
  }
}

/** The `sofa-b3` codec (see the module comment for the exact wire format). */
export const sofaB3Codec: PropagationCodec = guardedCodec('sofa-b3', extract, inject);
