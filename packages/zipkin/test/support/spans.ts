import {
  SpanContext,
  type ReadableSpan,
  type SpanKind,
  type SpanLogRecord,
  type TagValue,
} from '@sofa-tracer/core';

/** Options of {@link finishedSpan}: what a plugin would have recorded. */
export interface SpanShape {
  traceId?: string;
  spanId?: string;
  sampled?: boolean;
  kind?: SpanKind;
  logType?: string;
  operationName?: string;
  localApp?: string;
  startTime?: number;
  durationMs?: number;
  resultCode?: string;
  tags?: Record<string, TagValue>;
  logs?: SpanLogRecord[];
  sysBaggage?: Record<string, string>;
  bizBaggage?: Record<string, string>;
}

/** A finished span shaped as the core tracer reports it to span listeners. */
export function finishedSpan(shape: SpanShape = {}): ReadableSpan {
  const spanId = shape.spanId ?? '0';
  const i = spanId.lastIndexOf('.');
  const ctx = new SpanContext(
    shape.traceId ?? '0a0fe9271567477985327100211176',
    spanId,
    i < 0 ? '' : spanId.slice(0, i),
    shape.sampled ?? true,
    shape.sysBaggage ? new Map(Object.entries(shape.sysBaggage)) : undefined,
    shape.bizBaggage ? new Map(Object.entries(shape.bizBaggage)) : undefined,
  );
  const startTime = shape.startTime ?? 1_700_000_000_123;
  const durationMs = shape.durationMs ?? 12.3456;
  return {
    operationName: shape.operationName ?? 'GET /users/:id',
    kind: shape.kind ?? 'server',
    logType: shape.logType ?? 'express',
    localApp: shape.localApp ?? 'shop',
    startTime,
    endTime: startTime + Math.round(durationMs),
    durationMs,
    resultCode: shape.resultCode ?? '200',
    error: undefined,
    tags: shape.tags ?? { 'request.url': 'http://127.0.0.1/users/1', method: 'GET', route: '/users/:id' },
    logs: shape.logs ?? [],
    threadName: 'main',
    finished: true,
    context: () => ctx,
  };
}

/** Spans shaped like the kafka plugin's (`kafkamq-send` / `kafkamq-consume`, Java's digest fields). */
export function kafkaSpans(traceId = '0a0fe9271567477985327100213333'): {
  send: ReadableSpan;
  consume: ReadableSpan;
} {
  return {
    send: finishedSpan({
      traceId,
      spanId: '0.1',
      kind: 'producer',
      logType: 'kafkamq-send',
      operationName: 'mq-kafka-send',
      resultCode: '00',
      tags: { 'kafka.topic': 'orders', 'kafka.partition': -1, error: '' },
    }),
    consume: finishedSpan({
      traceId,
      spanId: '0.1.1',
      kind: 'consumer',
      logType: 'kafkamq-consume',
      operationName: 'mq-kafka-consume',
      resultCode: '00',
      tags: { 'kafka.topic': 'orders', 'kafka.partition': 0, 'kafka.offset': '42' },
    }),
  };
}
