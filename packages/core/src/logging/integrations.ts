import { spanStorage } from '../context/storage';

/** Field names used in application log lines; Java's MDC keys are `SOFA-TraceId` / `SOFA-SpanId`. */
export interface LogFieldNames {
  traceId?: string;
  spanId?: string;
}

const EMPTY: Readonly<Record<string, never>> = Object.freeze({});

/**
 * A pino `mixin`: `pino({ mixin: pinoMixin() })` adds the current trace and span ids to every
 * line logged inside a span. No dependency on pino.
 */
export function pinoMixin(names: LogFieldNames = {}): () => Record<string, string> {
  const t = names.traceId ?? 'traceId';
  const s = names.spanId ?? 'spanId';
  return () => {
    const span = spanStorage.getStore();
    if (!span) return EMPTY;
    const ctx = span.context();
    return { [t]: ctx.traceId, [s]: ctx.spanId };
  };
}

/** The shape of a winston/logform format: an object with `transform(info)`. */
export interface WinstonLikeFormat {
  transform(info: Record<string | symbol, unknown>): Record<string | symbol, unknown>;
}

/**
 * A winston format: `winston.format.combine(winstonFormat(), winston.format.json())`. A logform
 * format is any object with `transform`, so winston is not a dependency.
 */
export function winstonFormat(names: LogFieldNames = {}): WinstonLikeFormat {
  const t = names.traceId ?? 'traceId';
  const s = names.spanId ?? 'spanId';
  return {
    transform(info) {
      const span = spanStorage.getStore();
      if (span) {
        const ctx = span.context();
        info[t] = ctx.traceId;
        info[s] = ctx.spanId;
      }
      return info;
    },
  };
}
