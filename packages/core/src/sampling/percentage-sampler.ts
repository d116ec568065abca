import type { Sampler, SamplingResult } from './sampler';

const SAMPLED: SamplingResult = Object.freeze({ sampled: true });
const NOT_SAMPLED: SamplingResult = Object.freeze({ sampled: false });

/**
 * Java SOFATracer's percentage sampler: a 100-slot table with exactly `floor(percentage)` slots
 * set at random; decision n reads slot `n % 100`. Counter-based, so exactly p of every 100
 * consecutive new traces are sampled — not an approximation by random draws.
 */
export class PercentageSampler implements Sampler {
  private readonly slots: Uint8Array;
  private counter = 0;

  /** @param percentage 0–100; 0 = never, 100 = always. */
  constructor(
    readonly percentage: number,
    random: () => number = Math.random,
  ) {
    const chosen = Math.max(0, Math.min(100, Math.floor(percentage)));
    this.slots = pickSlots(chosen, random);
  }

  /** Returns the next decision. */
  sample(): SamplingResult {
    const slot = this.slots[this.counter];
    this.counter = this.counter === 99 ? 0 : this.counter + 1;
    return slot === 1 ? SAMPLED : NOT_SAMPLED;
  }
}

// Partial Fisher–Yates over 0..99: the first `count` positions are a uniform random subset.
function pickSlots(count: number, random: () => number): Uint8Array {
  const order = Array.from({ length: 100 }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (100 - i));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  const slots = new Uint8Array(100);
  for (let i = 0; i < count; i++) slots[order[i] as number] = 1;
  return slots;
}
