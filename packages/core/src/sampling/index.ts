export type { Sampler, SamplerFunction, SamplingInput, SamplingResult } from './sampler';
export { PercentageSampler } from './percentage-sampler';
export { createSampler } from './create-sampler';
