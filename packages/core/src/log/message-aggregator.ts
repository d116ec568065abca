import { performance } from 'node:perf_hooks';

/** Keys tracked at most; past it, messages of new kinds share one catch-all key. */
const MAX_KINDS = 256;
const KIND_CHARS = 40;
const CATCH_ALL = '*';

interface Kind {
  windowStart: number;
  count: number;
  suppressed: number;
  /** The first message of this kind suppressed in the current window, for the summary. */
  sample: string;
}

/**
 * Lets through at most `burst` messages of one kind per window and counts the rest, so a flood
 * of per-request warnings (hostile headers on every request) becomes a few lines and a count.
 * A message's kind is its text with quoted parts and digits removed, cut to 40 characters:
 * `baggage item "a" dropped…` and `baggage item "b" dropped…` are the same kind.
 * Uses the monotonic clock, like {@link RateLimiter}.
 */
export class MessageAggregator {
  private readonly kinds = new Map<string, Kind>();

  /**
   * @param burst messages of one kind let through per window.
   * @param windowMs length of a window.
   */
  constructor(
    private readonly burst: number,
    private readonly windowMs: number,
  ) {}

  /**
   * -1 when `message` must be suppressed (it is counted), else the number of messages of its
   * kind suppressed in the previous window and not reported yet (to append to this one).
   */
  take(message: string): number {
    const t = performance.now();
    const kind = this.kindFor(message, t);
    if (t - kind.windowStart >= this.windowMs) {
      const held = kind.suppressed;
      kind.windowStart = t;
      kind.count = 1;
      kind.suppressed = 0;
      return held;
    }
    if (kind.count < this.burst) {
      kind.count++;
      return 0;
    }
    if (kind.suppressed === 0) kind.sample = message;
    kind.suppressed++;
    return -1;
  }

  /** Whether some kind has suppressed messages not reported yet. */
  get pending(): boolean {
    for (const k of this.kinds.values()) if (k.suppressed > 0) return true;
    return false;
  }

  /** One summary line per kind with unreported suppressed messages; resets those counts. */
  drain(): string[] {
    const out: string[] = [];
    for (const k of this.kinds.values()) {
      if (k.suppressed === 0) continue;
      out.push(`${k.suppressed} more messages like this one were suppressed: ${k.sample}`);
      k.suppressed = 0;
    }
    return out;
  }

  private kindFor(message: string, t: number): Kind {
    let key = kindKey(message);
    let kind = this.kinds.get(key);
    if (kind !== undefined) return kind;
    if (this.kinds.size >= MAX_KINDS) {
      // forget idle kinds; if all are busy, new kinds share one budget
      for (const [k, v] of this.kinds)
        if (t - v.windowStart >= this.windowMs && v.suppressed === 0) this.kinds.delete(k);
      if (this.kinds.size >= MAX_KINDS) key = CATCH_ALL;
      kind = this.kinds.get(key);
      if (kind !== undefined) return kind;
    }
    kind = { windowStart: -Infinity, count: 0, suppressed: 0, sample: '' };
    this.kinds.set(key, kind);
    return kind;
  }
}

function kindKey(message: string): string {
  return message
    .slice(0, 200)
    .replace(/"[^"]*"?|'[^']*'?|\d+/g, '')
    .slice(0, KIND_CHARS);
}
