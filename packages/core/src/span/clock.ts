import { performance } from 'node:perf_hooks';

/**
 * Wall-clock time from the monotonic clock. A span reads the clock once when it starts and once
 * when it finishes (`performance.now()`, for its duration); its epoch-ms start time and the
 * trace id's time part are derived from that same reading instead of a `Date.now()` each. On
 * virtual machines every clock read can be a system call (~100 ns here), several per span.
 *
 * The offset between the two clocks is re-read at most once a second, so a wall-clock step or
 * slew (NTP) is followed within a second.
 */
const RESYNC_EVERY_MS = 1000;

let offset = 0;
let syncedAt = -Infinity;

/**
 * Reads the offset between the clocks. `Date.now()` is bracketed by two monotonic readings; a
 * reading interrupted for more than a millisecond (the thread was preempted) is not trusted.
 */
function resync(): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    const m1 = performance.now();
    const wall = Date.now();
    const m2 = performance.now();
    if (m2 - m1 < 1 || attempt === 2) {
      // Date.now() truncates: the true time was within [wall, wall + 1)
      offset = wall + 0.5 - (m1 + m2) / 2;
      syncedAt = m2;
      return;
    }
  }
}

/** Epoch milliseconds (an integer, like `Date.now()`) at the monotonic reading `hr`. */
export function epochMsAt(hr: number): number {
  if (hr - syncedAt >= RESYNC_EVERY_MS || hr < syncedAt) resync();
  return Math.floor(hr + offset);
}
