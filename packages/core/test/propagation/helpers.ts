import type { CodecOptions } from '../../src/propagation';
import { SpanContext } from '../../src/span/span-context';

/** Codec options with a warning recorder. */
export function opts(
  urlEncode: boolean,
  overrides: Partial<CodecOptions> = {},
): CodecOptions & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    urlEncode,
    bizBaggageMaxLength: 1024,
    sysBaggageMaxLength: 1024,
    warn: (m) => warnings.push(m),
    warnings,
    ...overrides,
  };
}

/** A local context as a client span would carry it. */
export function ctx(
  traceId: string,
  spanId: string,
  sampled = true,
  sys: [string, string][] = [],
  biz: [string, string][] = [],
): SpanContext {
  const i = spanId.lastIndexOf('.');
  return new SpanContext(
    traceId,
    spanId,
    i < 0 ? '' : spanId.slice(0, i),
    sampled,
    new Map(sys),
    new Map(biz),
  );
}

/** Captures injected headers in order. */
export function capture(): { headers: Record<string, string>; set: (n: string, v: string) => void } {
  const headers: Record<string, string> = {};
  return { headers, set: (n, v) => void (headers[n] = v) };
}
