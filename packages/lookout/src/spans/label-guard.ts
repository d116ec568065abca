import type { Counter } from '../api/types';

/** The value a label takes once its distinct-value cap is reached. */
export const OVERFLOW_VALUE = 'OTHER';

/** Longest label value kept; longer values are cut (hostile headers, giant operation names). */
export const MAX_LABEL_VALUE_LENGTH = 128;

/**
 * Caps the distinct values of one label of one metric family. The first `max` values pass; later
 * new values collapse to {@link OVERFLOW_VALUE} and each collapse is counted in `overflow`.
 */
export class LabelGuard {
  private readonly seen = new Set<string>();
  private overflowCounter: Counter | undefined;

  constructor(
    private readonly max: number,
    private readonly overflow: () => Counter,
  ) {}

  /** The value to use for `raw`. */
  value(raw: string): string {
    if (this.seen.has(raw)) return raw;
    const v = raw.length > MAX_LABEL_VALUE_LENGTH ? raw.slice(0, MAX_LABEL_VALUE_LENGTH) : raw;
    if (v !== raw && this.seen.has(v)) return v;
    if (this.seen.size < this.max) {
      this.seen.add(v);
      return v;
    }
    (this.overflowCounter ??= this.overflow()).inc();
    return OVERFLOW_VALUE;
  }

  /** Distinct values admitted so far. */
  get size(): number {
    return this.seen.size;
  }
}
