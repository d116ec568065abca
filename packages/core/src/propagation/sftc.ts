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
import { hasControlChars, javaUrlDecode, javaUrlEncode, trimOws } from './text';

/**
 * `sftc`: SOFA's native single header `sftc_head` (Java's `SofaTracerSpanContext.serializeSpanContext`,
 * used by SOFARPC):
 *
 * ```
 * sftc_head: tcid=<traceId>&spid=<spanId>&pspid=<parentId>&sample=<true|false>&_sys_<k>=<v>&…&<k>=<v>&…
 * ```
 *
 * Keys and values are escaped (`%`→`%25`, `&`→`%26`, `=`→`%3D`); over HTTP the whole value is
 * URL-encoded once more. On extraction a value that still contains a raw `=` was evidently not
 * URL-encoded and is parsed as is, so both forms are read.
 *
 * Like Java: `sample` absent → false (`Boolean.parseBoolean`), empty values are skipped, the first
 * occurrence of a key wins. Unlike Java: no/invalid `tcid` → no context (Java invented a new trace id
 * here), invalid `spid` → `0`, control characters dropped, baggage limits enforced.
 */

/** Header name. */
export const SFTC_HEADER = 'sftc_head';

const SYS_PREFIX = '_sys_';

function extract(get: CarrierGetter | CarrierReader, options: CodecOptions): SpanContext | null {
  const reader = toReader(get);
  let raw = reader.get(SFTC_HEADER);
  if (raw === undefined) return null;
  raw = trimOws(raw);
  if (options.urlEncode && raw.indexOf('=') < 0) raw = javaUrlDecode(raw);

  let traceId: string | undefined;
  let spanId: string | undefined;
  let parentId: string | undefined;
  let sampleRaw: string | undefined;
  let sys: Map<string, string> | undefined;
  let biz: Map<string, string> | undefined;
  let start = 0;
  const n = raw.length;
  while (start < n) {
    let end = raw.indexOf('&', start);
    if (end < 0) end = n;
    const eq = raw.indexOf('=', start);
    if (eq > start && eq < end) {
      const key = unescapeBaggage(raw.slice(start, eq));
      const value = unescapeBaggage(raw.slice(eq + 1, end));
      if (value !== '' && !hasControlChars(key) && !hasControlChars(value)) {
        if (key === 'tcid') traceId ??= value;
        else if (key === 'spid') spanId ??= value;
        else if (key === 'pspid') parentId ??= value;
        else if (key === 'sample') sampleRaw ??= value;
        else if (key.startsWith(SYS_PREFIX)) {
          const k = key.slice(SYS_PREFIX.length);
          if (k !== '') {
            sys ??= new Map();
            if (!sys.has(k)) sys.set(k, value);
          }
        } else {
          biz ??= new Map();
          if (!biz.has(key)) biz.set(key, value);
        }
      }
    }
    start = end + 1;
  }
  if (traceId === undefined || !isValidTraceId(traceId)) return null;
  if (spanId === undefined) {
    spanId = '0';
  } else if (!isValidSpanId(spanId)) {
    safeWarn(
      options,
      `sftc: ignoring invalid spid ${quote(spanId)} (trace ${traceId}); continuing as span 0`,
    );
    spanId = '0';
  }
  const sampled = sampleRaw !== undefined && sampleRaw.toLowerCase() === 'true';
  return remoteContext(traceId, spanId, resolveParentId(parentId, spanId), sampled, sys, biz, options);
}

/** The unencoded `sftc_head` value for a context (what goes on the wire for text maps). */
export function serializeSftc(context: SpanContext): string {
  let out =
    'tcid=' +
    escapeBaggage(context.traceId) +
    '&spid=' +
    escapeBaggage(context.spanId) +
    '&pspid=' +
    escapeBaggage(context.parentId) +
    '&sample=' +
    (context.sampled ? 'true' : 'false') +
    '&';
  if (context.sysBaggageSize)
    for (const [k, v] of context.sysBaggage) {
      if (k === '' || hasControlChars(k) || hasControlChars(v)) continue;
      out += SYS_PREFIX + escapeBaggage(k) + '=' + escapeBaggage(v) + '&';
    }
  if (context.bizBaggageSize)
    for (const [k, v] of context.bizBaggage) {
      if (k === '' || hasControlChars(k) || hasControlChars(v)) continue;
      out += escapeBaggage(k) + '=' + escapeBaggage(v) + '&';
    }
  return out;
}

function inject(context: SpanContext, set: CarrierSetter | CarrierWriter, options: CodecOptions): void {
  const value = serializeSftc(context);
  safeSet(toWriter(set), SFTC_HEADER, options.urlEncode ? javaUrlEncode(value) : value);
}

/** The `sftc` codec (see the module comment for the exact wire format). */
export const sftcCodec: PropagationCodec = guardedCodec('sftc', extract, inject);
