import type { LogTypeDefinition } from '../log-types/log-type';
import { formatLogTime } from '../log/time-format';
import { encodeBaggage } from '../propagation';
import type { ReadableSpan, TagValue } from '../span/readable-span';
import { ByteSink, StringSink } from './byte-sink';
import { jsonString } from './json-string';

/**
 * Writes one digest line in Java SOFATracer's JSON format into `sink`: common fields in Java's
 * order, the log type's plugin fields, then `sys.baggage` and `biz.baggage`. Bytes go straight
 * into the sink (no intermediate object, no string per line); values are escaped as
 * {@link jsonString} does.
 */
export function writeDigestJson(sink: ByteSink, span: ReadableSpan, def: LogTypeDefinition): void {
  const ctx = span.context();
  const keys = jsonKeys(def);
  sink.bytes(JSON_TIME);
  writeLogTime(sink, span.endTime);
  sink.bytes(appPart(span.localApp));
  sink.json(ctx.traceId);
  sink.bytes(JSON_SPAN_ID);
  sink.json(ctx.spanId);
  sink.bytes(JSON_KIND);
  sink.ascii(span.kind);
  sink.bytes(JSON_RESULT_CODE);
  sink.json(span.resultCode);
  sink.bytes(threadPart(span.threadName));
  sink.number(Math.round(span.durationMs));
  sink.bytes(JSON_MS);
  const tags = span.tags;
  const fields = def.digestFields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    sink.bytes(keys[i]!);
    if (f.type === 'number') writeNumber(sink, tags[f.key], f.fallback);
    else sink.json(stringValue(tags[f.key], f.fallback));
  }
  sink.bytes(JSON_SYS_BAGGAGE);
  if (ctx.sysBaggageSize) sink.json(encodeBaggage(ctx.sysBaggage));
  else sink.bytes(EMPTY_JSON_STRING);
  sink.bytes(JSON_BIZ_BAGGAGE);
  if (ctx.bizBaggageSize) sink.json(encodeBaggage(ctx.bizBaggage));
  else sink.bytes(EMPTY_JSON_STRING);
  sink.bytes(JSON_END);
}

/**
 * The same fields in Java's legacy comma format (`global_json_format_output=false`): each value
 * followed by a comma; commas/CR/LF inside values percent-encoded (as `legacyValue` does).
 */
export function writeDigestLegacy(sink: ByteSink, span: ReadableSpan, def: LogTypeDefinition): void {
  const ctx = span.context();
  sink.ascii(formatLogTime(span.endTime));
  sink.bytes(COMMA);
  sink.legacy(span.localApp);
  sink.bytes(COMMA);
  sink.legacy(ctx.traceId);
  sink.bytes(COMMA);
  sink.legacy(ctx.spanId);
  sink.bytes(COMMA);
  sink.ascii(span.kind);
  sink.bytes(COMMA);
  sink.legacy(span.resultCode);
  sink.bytes(COMMA);
  sink.legacy(span.threadName);
  sink.bytes(COMMA);
  sink.number(Math.round(span.durationMs));
  sink.bytes(MS_COMMA);
  const tags = span.tags;
  for (const f of def.digestFields) {
    if (f.type === 'number') writeNumber(sink, tags[f.key], f.fallback);
    else sink.legacy(stringValue(tags[f.key], f.fallback));
    sink.bytes(COMMA);
  }
  if (ctx.sysBaggageSize) sink.legacy(encodeBaggage(ctx.sysBaggage));
  sink.bytes(COMMA);
  if (ctx.bizBaggageSize) sink.legacy(encodeBaggage(ctx.bizBaggage));
  sink.bytes(COMMA);
}

const scratch = new StringSink();

/** {@link writeDigestJson} as a string (without line terminator). */
export function encodeDigestJson(span: ReadableSpan, def: LogTypeDefinition): string {
  writeDigestJson(scratch, span, def);
  return scratch.take();
}

/** {@link writeDigestLegacy} as a string (without line terminator). */
export function encodeDigestLegacy(span: ReadableSpan, def: LogTypeDefinition): string {
  writeDigestLegacy(scratch, span, def);
  return scratch.take();
}

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const JSON_TIME = ascii('{"time":"');
const JSON_SPAN_ID = ascii(',"spanId":');
const JSON_KIND = ascii(',"span.kind":"');
const JSON_RESULT_CODE = ascii('","result.code":');
const JSON_MS = ascii('ms"');
const JSON_SYS_BAGGAGE = ascii(',"sys.baggage":');
const JSON_BIZ_BAGGAGE = ascii(',"biz.baggage":');
const EMPTY_JSON_STRING = ascii('""');
const JSON_END = ascii('}');
const COMMA = ascii(',');
const MS_COMMA = ascii('ms,');

// The pieces around local.app and the thread name are the same on nearly every line of a
// process: their bytes are kept for the last value seen.
function lastValueBytes(before: string, after: string): (value: string) => Buffer {
  let last: string | undefined;
  let bytes = ascii('');
  return (value) => {
    if (value !== last) {
      bytes = Buffer.from(before + jsonString(value) + after, 'utf8');
      last = value;
    }
    return bytes;
  };
}
const appPart = lastValueBytes('","local.app":', ',"traceId":');
const threadPart = lastValueBytes(',"current.thread.name":', ',"time.cost.milliseconds":"');

// `yyyy-MM-dd HH:mm:ss.` changes once a second: its bytes are kept; the milliseconds come from a table.
let lastSecond = NaN;
let lastSecondBytes: Buffer = ascii('');
const MILLIS: readonly Buffer[] = Array.from({ length: 1000 }, (_, i) => ascii(String(i).padStart(3, '0')));
function writeLogTime(sink: ByteSink, epochMs: number): void {
  const second = Math.floor(epochMs / 1000);
  if (second !== lastSecond) {
    lastSecondBytes = ascii(formatLogTime(second * 1000).slice(0, -3));
    lastSecond = second;
  }
  sink.bytes(lastSecondBytes);
  const ms = epochMs - second * 1000;
  // (a finish time given with a fraction of a millisecond prints as formatLogTime prints it)
  if (Number.isInteger(ms)) sink.bytes(MILLIS[ms]!);
  else sink.ascii(formatLogTime(epochMs).slice(lastSecondBytes.length));
}

// The `,"field":` prefixes of a log type are the same on every line: escape and encode them once.
const keysCache = new WeakMap<LogTypeDefinition, readonly Buffer[]>();
function jsonKeys(def: LogTypeDefinition): readonly Buffer[] {
  let keys = keysCache.get(def);
  if (!keys) {
    keys = def.digestFields.map((f) => Buffer.from(',' + jsonString(f.key) + ':', 'utf8'));
    keysCache.set(def, keys);
  }
  return keys;
}

function stringValue(v: TagValue | undefined, fallback: string | number | undefined): string {
  if (v === undefined) return fallback === undefined ? '' : String(fallback);
  return typeof v === 'string' ? v : String(v);
}

/** A number field: the tag as a number, else the field's numeric fallback, else -1. */
function writeNumber(sink: ByteSink, v: TagValue | undefined, fallback: string | number | undefined): void {
  if (typeof v === 'number' && Number.isFinite(v)) sink.number(v);
  else if (typeof v === 'string' && v !== '' && Number.isFinite(Number(v))) sink.number(Number(v));
  else sink.number(typeof fallback === 'number' ? fallback : -1);
}
