import type { LogTypeDefinition } from '../log-types/log-type';
import { formatLogTime } from '../log/time-format';
import { encodeBaggage } from '../propagation';
import type { ReadableSpan, TagValue } from '../span/readable-span';
import { jsonString, legacyValue } from './json-string';

/**
 * One digest line in Java SOFATracer's JSON format: common fields in Java's order, the log
 * type's plugin fields, then `sys.baggage` and `biz.baggage`. Built by string concatenation
 * (no intermediate object, no JSON.stringify of the span).
 */
export function encodeDigestJson(span: ReadableSpan, def: LogTypeDefinition): string {
  const ctx = span.context();
  let line =
    '{"time":"' +
    formatLogTime(span.endTime) +
    '","local.app":' +
    cachedJson(span.localApp) +
    ',"traceId":' +
    jsonString(ctx.traceId) +
    ',"spanId":' +
    jsonString(ctx.spanId) +
    ',"span.kind":"' +
    span.kind +
    '","result.code":' +
    jsonString(span.resultCode) +
    ',"current.thread.name":' +
    cachedJson(span.threadName) +
    ',"time.cost.milliseconds":"' +
    Math.round(span.durationMs) +
    'ms"';
  const tags = span.tags;
  const fields = def.digestFields;
  const prefixes = keyPrefixes(def);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    line += prefixes[i];
    line +=
      f.type === 'number'
        ? numberValue(tags[f.key], f.fallback)
        : jsonString(stringValue(tags[f.key], f.fallback));
  }
  return (
    line +
    ',"sys.baggage":' +
    jsonString(ctx.sysBaggageSize ? encodeBaggage(ctx.sysBaggage) : '') +
    ',"biz.baggage":' +
    jsonString(ctx.bizBaggageSize ? encodeBaggage(ctx.bizBaggage) : '') +
    '}'
  );
}

/**
 * The same fields in Java's legacy comma format (`global_json_format_output=false`): each value
 * followed by a comma; commas/CR/LF inside values percent-encoded.
 */
export function encodeDigestLegacy(span: ReadableSpan, def: LogTypeDefinition): string {
  const ctx = span.context();
  let line =
    formatLogTime(span.endTime) +
    ',' +
    legacyValue(span.localApp) +
    ',' +
    legacyValue(ctx.traceId) +
    ',' +
    legacyValue(ctx.spanId) +
    ',' +
    span.kind +
    ',' +
    legacyValue(span.resultCode) +
    ',' +
    legacyValue(span.threadName) +
    ',' +
    Math.round(span.durationMs) +
    'ms,';
  const tags = span.tags;
  for (const f of def.digestFields) {
    line +=
      (f.type === 'number'
        ? numberValue(tags[f.key], f.fallback)
        : legacyValue(stringValue(tags[f.key], f.fallback))) + ',';
  }
  return (
    line +
    legacyValue(ctx.sysBaggageSize ? encodeBaggage(ctx.sysBaggage) : '') +
    ',' +
    legacyValue(ctx.bizBaggageSize ? encodeBaggage(ctx.bizBaggage) : '') +
    ','
  );
}

// The `,"field":` prefixes of a log type are the same on every line: escape them once.
const prefixCache = new WeakMap<LogTypeDefinition, readonly string[]>();
function keyPrefixes(def: LogTypeDefinition): readonly string[] {
  let p = prefixCache.get(def);
  if (!p) {
    p = def.digestFields.map((f) => ',' + jsonString(f.key) + ':');
    prefixCache.set(def, p);
  }
  return p;
}

// local.app and the thread name rarely change within a process: remember the last escapes.
const lastJson = new Map<string, string>();
function cachedJson(value: string): string {
  let j = lastJson.get(value);
  if (j === undefined) {
    if (lastJson.size > 64) lastJson.clear();
    j = jsonString(value);
    lastJson.set(value, j);
  }
  return j;
}

function stringValue(v: TagValue | undefined, fallback: string | number | undefined): string {
  if (v === undefined) return fallback === undefined ? '' : String(fallback);
  return typeof v === 'string' ? v : String(v);
}

function numberValue(v: TagValue | undefined, fallback: string | number | undefined): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v !== '' && Number.isFinite(Number(v))) return String(Number(v));
  const f = typeof fallback === 'number' ? fallback : -1;
  return String(f);
}
