import { toW3cSpanId, toW3cTraceId } from '../ids/id-mapping';
import { isValidSpanId } from '../ids/validate';
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
import { remoteContext, safeWarn } from './remote';
import {
  formatW3cBaggage,
  parseW3cBaggage,
  W3C_BAGGAGE_HEADER,
  W3C_BAGGAGE_MAX_BYTES,
  W3C_BAGGAGE_MAX_MEMBERS,
} from './w3c-baggage';
import {
  formatTraceparent,
  formatTracestate,
  parseTraceparent,
  parseTracestate,
  truncateTracestate,
  type Traceparent,
  type TracestateMember,
} from './w3c-trace-context';

/**
 * `w3c`: W3C Trace Context (`traceparent`, `tracestate`) + W3C Baggage (`baggage`).
 *
 * Inject: `traceparent: 00-<toW3cTraceId(traceId)>-<toW3cSpanId(spanId)>-<flags>` (sampled bit, and
 * the Level 2 random-trace-id bit the context carries: as it arrived with this request's
 * traceparent, inherited by child spans; never set on our own trace ids) and
 * `tracestate: sofa=<dotted spanId>` followed by the forwarded members (our previous `sofa` member
 * removed, 32 members at most).
 *
 * Extract: trace id = the 32-hex trace-id as is (a zero-padded SOFA id stays in its 32-hex form;
 * the digits cannot be un-padded safely). Span id = the dotted id of the `sofa` tracestate member
 * when its FNV hash equals the traceparent's parent-id (two of our services), otherwise the foreign
 * 16-hex parent-id itself, so the server span becomes `<hex>.1`. An invalid traceparent ignores
 * the tracestate too; an invalid tracestate is dropped and the traceparent still used.
 */

/** Header names. */
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';
/** Our tracestate key. */
export const SOFA_TRACESTATE_KEY = 'sofa';

/** A traceparent with the tracestate read alongside it. */
export interface W3cTraceContext extends Traceparent {
  /** The dotted SOFA span id when our `sofa` member matches the parent-id. */
  readonly sofaSpanId: string | undefined;
  /** The forwarded tracestate without our `sofa` member, `undefined` when empty or invalid. */
  readonly traceState: string | undefined;
  /** True when a tracestate header was present but invalid (and therefore dropped). */
  readonly traceStateInvalid: boolean;
}

/** Reads and validates `traceparent` + `tracestate` from a carrier; `null` without a valid traceparent. */
export function readW3cTraceContext(reader: CarrierReader): W3cTraceContext | null {
  const tp = parseTraceparent(reader.get(TRACEPARENT_HEADER));
  if (tp === null) return null;
  const rawState = reader.get(TRACESTATE_HEADER);
  const members = parseTracestate(rawState);
  let sofaSpanId: string | undefined;
  let traceState: string | undefined;
  if (members !== null) {
    const others: TracestateMember[] = [];
    for (const m of members) {
      if (m.key === SOFA_TRACESTATE_KEY) {
        if (isValidSpanId(m.value) && toW3cSpanId(m.value) === tp.parentId) sofaSpanId = m.value;
      } else {
        others.push(m);
      }
    }
    traceState = formatTracestate(others);
  }
  return {
    traceId: tp.traceId,
    parentId: tp.parentId,
    sampled: tp.sampled,
    random: tp.random,
    sofaSpanId,
    traceState,
    traceStateInvalid: members === null && rawState !== undefined,
  };
}

function extract(get: CarrierGetter | CarrierReader, options: CodecOptions): SpanContext | null {
  const reader = toReader(get);
  const tc = readW3cTraceContext(reader);
  if (tc === null) return null;
  if (tc.traceStateInvalid) safeWarn(options, `w3c: dropped an invalid tracestate (trace ${tc.traceId})`);
  const spanId = tc.sofaSpanId ?? tc.parentId;
  const parentId = tc.sofaSpanId !== undefined ? parentIdOf(tc.sofaSpanId) : '';
  const bag = parseW3cBaggage(reader.get(W3C_BAGGAGE_HEADER));
  if (bag.dropped > 0) {
    safeWarn(
      options,
      `w3c: baggage header over ${W3C_BAGGAGE_MAX_MEMBERS} members / ${W3C_BAGGAGE_MAX_BYTES} bytes; dropped ${bag.dropped} member(s)`,
    );
  }
  const ctx = remoteContext(tc.traceId, spanId, parentId, tc.sampled, bag.sys, bag.biz, options);
  ctx.traceState = tc.traceState;
  ctx.randomTraceId = tc.random === true;
  return ctx;
}

/** The tracestate we send: `sofa=<spanId>` first, then the forwarded members (≤ 32 in all). */
export function outgoingTracestate(context: SpanContext): string | undefined {
  const forwarded = context.traceState === undefined ? [] : (parseTracestate(context.traceState) ?? []);
  const members: TracestateMember[] = [];
  if (context.spanId.length <= 256) members.push({ key: SOFA_TRACESTATE_KEY, value: context.spanId });
  for (const m of forwarded) if (m.key !== SOFA_TRACESTATE_KEY) members.push(m);
  return formatTracestate(truncateTracestate(members));
}

function inject(context: SpanContext, set: CarrierSetter | CarrierWriter, options: CodecOptions): void {
  const writer = toWriter(set);
  const traceId = toW3cTraceId(context.traceId);
  safeSet(
    writer,
    TRACEPARENT_HEADER,
    formatTraceparent(traceId, toW3cSpanId(context.spanId), context.sampled, context.randomTraceId),
  );
  const state = outgoingTracestate(context);
  if (state !== undefined) safeSet(writer, TRACESTATE_HEADER, state);
  if (context.sysBaggageSize === 0 && context.bizBaggageSize === 0) return;
  const bag = formatW3cBaggage(context.sysBaggage, context.bizBaggage);
  if (bag.value !== undefined) safeSet(writer, W3C_BAGGAGE_HEADER, bag.value);
  if (bag.skipped)
    safeWarn(
      options,
      `w3c: baggage entries not injected (key not a token, control characters, or over the limits): ${bag.skipped.join(', ')}`,
    );
}

/** The `w3c` codec (Trace Context + Baggage). */
export const w3cCodec: PropagationCodec = guardedCodec('w3c', extract, inject);
