import { isValidSpanId } from '../ids/validate';
import { parentIdOf, SpanContext } from '../span/span-context';
import { limitBaggage } from './baggage';
import type { CodecOptions } from './codec';

/** Calls `options.warn` and swallows anything it throws. */
export function safeWarn(options: CodecOptions, message: string): void {
  try {
    options.warn(message);
  } catch {
    // a warning must never break extraction or injection
  }
}

/** A short, single-line, quoted rendering of untrusted input for warnings. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? value.slice(0, 80) + '…' : value);
}

/**
 * The parent id of a remote span: the one the carrier gave when it is a valid span id, else the
 * span id minus its last segment (`""` for a root).
 */
export function resolveParentId(given: string | undefined, spanId: string): string {
  return given !== undefined && given !== '' && isValidSpanId(given) ? given : parentIdOf(spanId);
}

/**
 * Builds the context every codec returns: `remote = true`, biz and sys baggage cut to their
 * configured encoded lengths (with a warning naming what was dropped).
 */
export function remoteContext(
  traceId: string,
  spanId: string,
  parentId: string,
  sampled: boolean,
  sys: Map<string, string> | undefined,
  biz: Map<string, string> | undefined,
  options: CodecOptions,
): SpanContext {
  const warn = (m: string): void => safeWarn(options, m);
  const ctx = new SpanContext(
    traceId,
    spanId,
    parentId,
    sampled,
    sys ? limitBaggage(sys, options.sysBaggageMaxLength, warn, 'incoming sys baggage') : new Map(),
    biz ? limitBaggage(biz, options.bizBaggageMaxLength, warn, 'incoming biz baggage') : new Map(),
  );
  ctx.remote = true;
  return ctx;
}
