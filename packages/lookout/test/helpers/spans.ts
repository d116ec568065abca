import type { ReadableSpan, SpanContext, SpanKind, TagValue } from '@sofa-tracer/core';

/** A finished span as a plugin would report it, built by hand for listener tests. */
export function makeSpan(
  over: Partial<Omit<ReadableSpan, 'context'>> & { tags?: Record<string, TagValue> } = {},
): ReadableSpan {
  const kind: SpanKind = over.kind ?? 'server';
  return {
    operationName: over.operationName ?? 'GET /users/:id',
    kind,
    logType: over.logType ?? 'express',
    localApp: over.localApp ?? 'shop',
    startTime: over.startTime ?? 1_700_000_000_000,
    endTime: over.endTime ?? 1_700_000_000_012,
    durationMs: over.durationMs ?? 12,
    resultCode: over.resultCode ?? '200',
    error: over.error,
    tags: over.tags ?? { method: 'GET', route: '/users/:id', 'request.url': 'http://x/users/1' },
    logs: [],
    threadName: 'main',
    finished: true,
    context: () => ({}) as SpanContext,
  };
}
