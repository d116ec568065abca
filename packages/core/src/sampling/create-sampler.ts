import { PercentageSampler } from './percentage-sampler';
import type { Sampler, SamplerFunction, SamplingInput, SamplingResult } from './sampler';

const SAMPLED: SamplingResult = Object.freeze({ sampled: true });
const NOT_SAMPLED: SamplingResult = Object.freeze({ sampled: false });

/** Wraps a plain function as a Sampler; a throwing or odd answer falls back to `fallback`. */
class FunctionSampler implements Sampler {
  constructor(
    private readonly fn: SamplerFunction,
    private readonly fallback: Sampler,
    private readonly onError: (error: unknown) => void,
  ) {}

  sample(input: SamplingInput): SamplingResult {
    try {
      const r = this.fn(input);
      if (r === true) return SAMPLED;
      if (r === false) return NOT_SAMPLED;
      if (r && typeof r === 'object' && typeof r.sampled === 'boolean') return r;
      this.onError(new TypeError('custom sampler returned neither a boolean nor { sampled }'));
    } catch (error) {
      this.onError(error);
    }
    return this.fallback.sample(input);
  }
}

/** The sampler in force: a custom one (function or object) wins over the percentage sampler. */
export function createSampler(
  percentage: number,
  custom: Sampler | SamplerFunction | undefined,
  onError: (error: unknown) => void,
): Sampler {
  const base = new PercentageSampler(percentage);
  if (!custom) return base;
  if (typeof custom === 'function') return new FunctionSampler(custom, base, onError);
  return new FunctionSampler((input) => custom.sample(input), base, onError);
}
