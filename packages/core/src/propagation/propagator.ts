import { toW3cTraceId } from '../ids/id-mapping';
import type { SpanContext } from '../span/span-context';
import { b3Codec } from './b3';
import { getterFor, setterFor, type CarrierSource, type CarrierTarget } from './carrier';
import {
  PROPAGATION_FORMATS,
  type CodecOptions,
  type PropagationCodec,
  type PropagationFormat,
} from './codec';
import { sftcCodec } from './sftc';
import { sofaB3Codec } from './sofa-b3';
import { readW3cTraceContext, w3cCodec } from './w3c';

/** Where a carrier comes from: HTTP headers (values URL-encoded like Java) or a text map (Kafka). */
export type CarrierFormat = 'http_headers' | 'text_map';

/** Every codec by format. */
export const CODECS: Readonly<Record<PropagationFormat, PropagationCodec>> = {
  'sofa-b3': sofaB3Codec,
  sftc: sftcCodec,
  w3c: w3cCodec,
  b3: b3Codec,
};

/** Settings of a {@link Propagator}. */
export interface PropagatorOptions {
  /** Formats written on inject, in order. Default `['sofa-b3', 'w3c']`. */
  readonly inject?: readonly PropagationFormat[];
  /** Formats tried on extract, in order; the first that yields a context wins. Default: all, `sofa-b3, sftc, w3c, b3`. */
  readonly extract?: readonly PropagationFormat[];
  /** Max encoded length (`k=v&…`) of biz baggage accepted from upstream. Default 1024 (Java's default). */
  readonly bizBaggageMaxLength?: number;
  /** Max encoded length of sys baggage accepted from upstream. Default 1024. */
  readonly sysBaggageMaxLength?: number;
  /** Receives warnings (dropped baggage, invalid headers); should be rate-limited by the caller. */
  readonly warn?: (message: string) => void;
}

/** Default inject formats: what Java SOFATracer reads plus W3C for everyone else. */
export const DEFAULT_INJECT_FORMATS: readonly PropagationFormat[] = ['sofa-b3', 'w3c'];
/** Default baggage limit (Java's `tracer_penetrate_attribute_max_length` default). */
export const DEFAULT_BAGGAGE_MAX_LENGTH = 1024;

function noop(): void {}

function knownFormats(
  list: readonly PropagationFormat[] | undefined,
  fallback: readonly PropagationFormat[],
  warn: (m: string) => void,
): PropagationFormat[] {
  const out: PropagationFormat[] = [];
  for (const f of list ?? fallback) {
    if (!PROPAGATION_FORMATS.includes(f)) {
      warn(
        `propagation: unknown format ${JSON.stringify(f)} ignored (known: ${PROPAGATION_FORMATS.join(', ')})`,
      );
    } else if (!out.includes(f)) {
      out.push(f);
    }
  }
  return out;
}

/**
 * The composite of the configured codecs: what the tracer and the HTTP/Kafka helpers call.
 * `extract` and `inject` never throw.
 */
export class Propagator {
  /** Formats written on inject, in order. */
  readonly injectFormats: readonly PropagationFormat[];
  /** Formats tried on extract, in order. */
  readonly extractFormats: readonly PropagationFormat[];
  private readonly injectCodecs: PropagationCodec[];
  private readonly extractCodecs: PropagationCodec[];
  private readonly httpOptions: CodecOptions;
  private readonly textOptions: CodecOptions;
  private readonly warn: (message: string) => void;
  private readonly mergeTraceState: boolean;

  constructor(options: PropagatorOptions = {}) {
    const userWarn = options.warn;
    this.warn = userWarn
      ? (m: string) => {
          try {
            userWarn(m);
          } catch {
            // never let a warning sink break propagation
          }
        }
      : noop;
    this.injectFormats = knownFormats(options.inject, DEFAULT_INJECT_FORMATS, this.warn);
    this.extractFormats = knownFormats(options.extract, PROPAGATION_FORMATS, this.warn);
    this.injectCodecs = this.injectFormats.map((f) => CODECS[f]);
    this.extractCodecs = this.extractFormats.map((f) => CODECS[f]);
    this.mergeTraceState = this.extractFormats.includes('w3c');
    const base = {
      bizBaggageMaxLength: options.bizBaggageMaxLength ?? DEFAULT_BAGGAGE_MAX_LENGTH,
      sysBaggageMaxLength: options.sysBaggageMaxLength ?? DEFAULT_BAGGAGE_MAX_LENGTH,
      warn: this.warn,
    };
    this.httpOptions = { ...base, urlEncode: true };
    this.textOptions = { ...base, urlEncode: false };
  }

  /** The codec options used for a carrier format. */
  optionsFor(format: CarrierFormat): CodecOptions {
    return format === 'http_headers' ? this.httpOptions : this.textOptions;
  }

  /**
   * The remote context carried by `carrier`, or `null` (start a new trace). The first configured
   * format that yields a valid context wins; when another format won and a valid `traceparent` of
   * the same trace is present too, its `tracestate` is kept so it is forwarded downstream.
   */
  extract(format: CarrierFormat, carrier: CarrierSource | null | undefined): SpanContext | null {
    try {
      const reader = getterFor(carrier);
      const options = this.optionsFor(format);
      let ctx: SpanContext | null = null;
      let winner: PropagationFormat | undefined;
      for (const codec of this.extractCodecs) {
        ctx = codec.extract(reader, options);
        if (ctx !== null) {
          winner = codec.format;
          break;
        }
      }
      if (ctx !== null && winner !== 'w3c' && this.mergeTraceState) {
        const tc = readW3cTraceContext(reader);
        if (tc !== null && (tc.traceId === ctx.traceId || tc.traceId === toW3cTraceId(ctx.traceId))) {
          if (tc.traceState !== undefined) ctx.traceState = tc.traceState;
          // the Level 2 random flag of this request's traceparent travels on with the trace
          if (tc.random === true) ctx.randomTraceId = true;
        }
      }
      if (reader.oversized !== undefined) {
        this.warn(`propagation: ignored header(s) longer than 16384 chars: ${reader.oversized.join(', ')}`);
      }
      return ctx;
    } catch {
      return null;
    }
  }

  /** Writes `context` into `carrier` in every configured inject format. */
  inject(context: SpanContext, format: CarrierFormat, carrier: CarrierTarget | null | undefined): void {
    try {
      const writer = setterFor(carrier);
      const options = this.optionsFor(format);
      for (const codec of this.injectCodecs) codec.inject(context, writer, options);
    } catch {
      // best effort
    }
  }
}
