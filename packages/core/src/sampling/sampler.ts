import type { SpanKind, TagValue } from '../span/readable-span';

/** What a sampler sees: the root span about to start (children inherit the root's decision). */
export interface SamplingInput {
  readonly traceId: string;
  readonly operationName: string;
  readonly kind: SpanKind;
  readonly logType: string;
  readonly tags: Readonly<Record<string, TagValue>>;
}

/** A sampler's answer; `tags` are added to the span (e.g. the rule that decided). */
export interface SamplingResult {
  readonly sampled: boolean;
  readonly tags?: Readonly<Record<string, TagValue>>;
}

/** Decides whether a new trace is sampled (digest lines written). */
export interface Sampler {
  sample(input: SamplingInput): SamplingResult;
}

/** A custom sampler as a plain function. */
export type SamplerFunction = (input: SamplingInput) => boolean | SamplingResult;
