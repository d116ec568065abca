import { performance } from 'node:perf_hooks';

/**
 * Lets one event through per interval and counts the ones it holds back, so a failing disk yields
 * one warning every few seconds instead of one per batch. Uses the monotonic clock: an injected or
 * jumping wall clock must not silence (or unleash) warnings.
 */
export class RateLimiter {
  private nextAllowed = 0;
  private held = 0;

  /** @param intervalMs minimum time between two events let through. */
  constructor(private readonly intervalMs: number) {}

  /**
   * Returns -1 when the event must be suppressed (and counts it), otherwise the number of events
   * suppressed since the last one let through.
   */
  take(): number {
    const t = performance.now();
    if (t < this.nextAllowed) {
      this.held++;
      return -1;
    }
    this.nextAllowed = t + this.intervalMs;
    const held = this.held;
    this.held = 0;
    return held;
  }
}

/** Writes one line to stderr; a broken stderr is ignored because there is nowhere left to report. */
export function writeStderr(message: string): void {
  try {
    process.stderr.write('[sofa-tracer] ' + message + '\n');
  } catch {
    // stderr closed: nothing else can be done.
  }
}

/** Text of an unknown thrown value, for one-line warnings. */
export function errorText(error: unknown): string {
  // Duck-typed: errors from another realm (vm contexts, test sandboxes) fail `instanceof Error`.
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message === 'string') return message;
  try {
    return String(error);
  } catch {
    return 'unknown error';
  }
}
