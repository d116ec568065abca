import { isValidSpanId, isValidTraceId } from '../ids/validate';
import type { SpanContext } from '../span/span-context';
import { quote, safeWarn } from './remote';

/** Header formats this tracer can read and write. */
export type PropagationFormat = 'sofa-b3' | 'sftc' | 'w3c' | 'b3';

/** Every propagation format, in the default extraction order. */
export const PROPAGATION_FORMATS: readonly PropagationFormat[] = ['sofa-b3', 'sftc', 'w3c', 'b3'];

/** Reads one header/attribute by its lowercase name; `undefined` when absent. */
export type CarrierGetter = (lowerName: string) => string | undefined;

/** Writes one header/attribute. */
export type CarrierSetter = (name: string, value: string) => void;

/**
 * A carrier adapter object (see `getterFor`): `get` reads one value by lowercase name; the optional
 * `keys` lists every name the carrier holds (any case), which formats with open-ended header names
 * (`baggage-<key>`) need. Without `keys` those headers are not found.
 */
export interface CarrierReader {
  get(lowerName: string): string | undefined;
  keys?(): Iterable<string>;
}

/** A carrier adapter object (see `setterFor`) that writes one header/attribute. */
export interface CarrierWriter {
  set(name: string, value: string): void;
}

/** Settings every codec receives. */
export interface CodecOptions {
  /** True over HTTP (baggage values URL-encoded as Java does); false for text maps (Kafka). */
  readonly urlEncode: boolean;
  /** Max encoded length of biz baggage (`k=v&…`); entries past it are dropped. */
  readonly bizBaggageMaxLength: number;
  /** Max encoded length of sys baggage. */
  readonly sysBaggageMaxLength: number;
  /** Receives a human-readable warning (goes to tracer-self.log). Never throws. */
  readonly warn: (message: string) => void;
}

/**
 * One header format. `extract` never throws: malformed input yields `null` (a new trace) or a
 * context with the bad parts dropped. `inject` writes only sanitised values (no CR/LF, no
 * control characters).
 */
export interface PropagationCodec {
  readonly format: PropagationFormat;
  extract(get: CarrierGetter | CarrierReader, options: CodecOptions): SpanContext | null;
  inject(context: SpanContext, set: CarrierSetter | CarrierWriter, options: CodecOptions): void;
}

/**
 * Makes a codec out of its two functions, with the guarantees every codec shares applied once
 * here: a context whose ids are invalid (a hand-made SpanContext, say) is never written into a
 * carrier (warned instead); a codec bug or a hostile carrier yields `null` (a new trace) on
 * extraction and a request without trace headers on injection — never an exception in the
 * application.
 */
export function guardedCodec(
  format: PropagationFormat,
  extract: PropagationCodec['extract'],
  inject: PropagationCodec['inject'],
): PropagationCodec {
  return {
    format,
    extract(get, options) {
      try {
        return extract(get, options);
      } catch {
        return null;
      }
    },
    inject(context, set, options) {
      if (!isValidTraceId(context.traceId) || !isValidSpanId(context.spanId)) {
        safeWarn(
          options,
          `${format}: not injecting a context with invalid ids ${quote(context.traceId)} / ${quote(context.spanId)}`,
        );
        return;
      }
      try {
        inject(context, set, options);
      } catch {
        // best effort: a broken carrier must not break the request
      }
    },
  };
}
