/** W3C trace ids remembered at most (oldest forgotten first): bounds the memory at ~1 MB. */
export const RANDOM_TRACE_IDS_MAX = 8192;

const ids = new Set<string>();

/**
 * The W3C trace ids received with the Level 2 random-trace-id flag, so the flag goes out again
 * with the same value on every call that continues the trace ("a participant that continues a
 * trace MUST propagate the flag unchanged"). A span context does not carry trace flags, so they
 * are remembered by trace id here: trace ids this tracer generates (SOFA ids: IP, time and a
 * counter) are never random and never in the set. Bounded: a process continuing more than
 * 8192 random-flagged traces at once sends `0` (no randomness promised) for the oldest.
 */
export function rememberRandomTraceId(traceId: string): void {
  if (ids.has(traceId)) return;
  if (ids.size >= RANDOM_TRACE_IDS_MAX) {
    const oldest = ids.values().next().value;
    if (oldest !== undefined) ids.delete(oldest);
  }
  ids.add(traceId);
}

/** Whether `traceId` (32 lowercase hex) arrived with the random-trace-id flag set. */
export function isRandomTraceId(traceId: string): boolean {
  return ids.size > 0 && ids.has(traceId);
}
