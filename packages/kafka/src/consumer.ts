import {
  KAFKA_CONSUME_LOG_TYPE_NAME,
  KafkaTags,
  type Span,
  type TagValue,
  type Tracer,
} from '@sofa-tracer/core';
import { traceTextMap } from './headers';
import type {
  ConsumedMessage,
  ConsumerLike,
  ConsumerRunConfig,
  EachBatchPayload,
  EachMessagePayload,
} from './kafkajs-types';
import { kafkaErrorResultCode, KafkaResultCodes } from './log-types';
import type { KafkaTracing } from './tracing';
import { publishConsumerFacts } from './consumer-events';

/** Operation name of consumer spans (Java's Kafka consumer plugin). */
export const CONSUME_OPERATION = 'mq-kafka-consume';

/** The span of each message of a running `eachBatch`, for `kafkaMessageSpan()`. */
const messageSpans = new WeakMap<object, Span>();

/**
 * The consumer span of `message` while an instrumented `eachBatch` handler processes it
 * (`undefined` outside one, or before the message's turn). Make it current with
 * `tracer.withSpan(span, fn)` so the calls that handle the message join its trace.
 */
export function kafkaMessageSpan(message: object): Span | undefined {
  return message !== null && typeof message === 'object' ? messageSpans.get(message) : undefined;
}

function startConsumeSpan(
  tracer: Tracer,
  groupId: string,
  topic: string,
  partition: number,
  message: ConsumedMessage,
  startTime?: number,
): Span {
  const parent = tracer.extract('text_map', traceTextMap(message.headers));
  const tags: Record<string, TagValue> = {
    [KafkaTags.TOPIC]: String(topic),
    [KafkaTags.PARTITION]: typeof partition === 'number' ? partition : -1,
    [KafkaTags.OFFSET]: toNumber(message.offset),
    [KafkaTags.GROUP]: groupId,
  };
  const ts = toNumber(message.timestamp);
  if (ts > 0) tags[KafkaTags.TIMESTAMP] = ts;
  return tracer.startSpan(CONSUME_OPERATION, {
    kind: 'consumer',
    childOf: parent,
    logType: KAFKA_CONSUME_LOG_TYPE_NAME,
    tags,
    startTime,
  });
}

function toNumber(v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(n) ? n : -1;
}

function finish(span: Span, error: unknown, failed: boolean): void {
  try {
    if (failed) {
      span.setError(error);
      span.setResultCode(kafkaErrorResultCode(error));
    } else {
      span.setResultCode(KafkaResultCodes.SUCCESS);
    }
  } finally {
    span.finish();
  }
}

/** `eachMessage` inside a consumer span that is current for the handler. */
function traceEachMessage(
  tracing: KafkaTracing,
  groupId: string,
  handler: NonNullable<ConsumerRunConfig['eachMessage']>,
): NonNullable<ConsumerRunConfig['eachMessage']> {
  return function tracedEachMessage(this: unknown, payload: EachMessagePayload) {
    const tracer = tracing.tracer();
    let span: Span | undefined;
    if (tracer !== undefined && payload !== null && typeof payload === 'object' && payload.message) {
      try {
        span = startConsumeSpan(tracer, groupId, payload.topic, payload.partition, payload.message);
      } catch (e) {
        tracing.fault(tracer, 'starting a consumer span failed; the message is handled untraced', e);
      }
    }
    if (tracer === undefined || span === undefined) return handler.call(this, payload);
    const s = span;
    return tracer.withSpan(s, async () => {
      let failed = false;
      let error: unknown;
      try {
        return await handler.call(this, payload);
      } catch (e) {
        failed = true;
        error = e;
        throw e; // the very same error reaches kafkajs, so its retry logic still works
      } finally {
        finish(s, error, failed);
      }
    });
  };
}

/**
 * Per-message spans of one `eachBatch` call with honest durations: a message's span starts when
 * the previous message's offset is resolved (the first at the start of the batch) and ends when
 * its own offset is resolved; messages never resolved individually end when the handler settles
 * (`00`, or `99` with the error when it throws).
 */
class BatchSpans {
  private next = 0;
  private readonly spans: (Span | undefined)[];

  constructor(
    private readonly tracer: Tracer,
    private readonly groupId: string,
    private readonly payload: EachBatchPayload,
  ) {
    this.spans = new Array(payload.batch.messages.length);
    this.startNext();
  }

  private startNext(): void {
    const { batch } = this.payload;
    const m = batch.messages[this.next];
    if (m === undefined || this.spans[this.next] !== undefined) return;
    const span = startConsumeSpan(this.tracer, this.groupId, batch.topic, batch.partition, m);
    this.spans[this.next] = span;
    messageSpans.set(m, span);
  }

  /** Ends the spans of every message up to `offset` (inclusive) and starts the next one. */
  resolve(offset: string): void {
    const target = toNumber(offset);
    const messages = this.payload.batch.messages;
    while (this.next < messages.length && toNumber(messages[this.next].offset) <= target) {
      this.startNext();
      this.end(this.next, undefined, false);
      this.next++;
    }
    this.startNext();
  }

  /** Ends every remaining span. */
  settle(error: unknown, failed: boolean): void {
    const messages = this.payload.batch.messages;
    for (; this.next < messages.length; this.next++) {
      this.startNext();
      this.end(this.next, error, failed);
    }
  }

  private end(i: number, error: unknown, failed: boolean): void {
    const span = this.spans[i];
    if (span === undefined || span.finished) return;
    messageSpans.delete(this.payload.batch.messages[i]);
    finish(span, error, failed);
  }
}

/** `eachBatch` with per-message spans (see {@link BatchSpans}); the handler runs with no span current. */
function traceEachBatch(
  tracing: KafkaTracing,
  groupId: string,
  handler: NonNullable<ConsumerRunConfig['eachBatch']>,
): NonNullable<ConsumerRunConfig['eachBatch']> {
  return async function tracedEachBatch(this: unknown, payload: EachBatchPayload) {
    const tracer = tracing.tracer();
    let spans: BatchSpans | undefined;
    let traced = payload;
    if (
      tracer !== undefined &&
      payload !== null &&
      typeof payload === 'object' &&
      Array.isArray(payload.batch?.messages) &&
      typeof payload.resolveOffset === 'function'
    ) {
      try {
        const s = new BatchSpans(tracer, groupId, payload);
        const resolveOffset = payload.resolveOffset;
        traced = {
          ...payload,
          resolveOffset(offset: string) {
            try {
              s.resolve(offset);
            } catch (e) {
              tracing.fault(tracer, 'ending a consumer span failed', e);
            }
            return resolveOffset(offset);
          },
        };
        spans = s;
      } catch (e) {
        tracing.fault(tracer, 'starting consumer spans failed; the batch is handled untraced', e);
      }
    }
    if (spans === undefined) return handler.call(this, payload);
    let failed = false;
    let error: unknown;
    try {
      return await handler.call(this, traced);
    } catch (e) {
      failed = true;
      error = e;
      throw e;
    } finally {
      spans.settle(error, failed);
    }
  };
}

/** Wraps a new consumer's `run` (handlers traced) and feeds its batch events to the lag channels. */
export function wrapConsumer(tracing: KafkaTracing, consumer: ConsumerLike, groupId: string): ConsumerLike {
  if (consumer === null || typeof consumer !== 'object' || typeof consumer.run !== 'function')
    return consumer;
  const run = consumer.run;
  consumer.run = function tracedRun(this: ConsumerLike, config?: ConsumerRunConfig) {
    if (!tracing.active || config === null || typeof config !== 'object')
      return run.call(this ?? consumer, config);
    const traced: ConsumerRunConfig = { ...config };
    if (typeof config.eachMessage === 'function')
      traced.eachMessage = traceEachMessage(tracing, groupId, config.eachMessage);
    else if (typeof config.eachBatch === 'function')
      traced.eachBatch = traceEachBatch(tracing, groupId, config.eachBatch);
    return run.call(this ?? consumer, traced);
  };
  publishConsumerFacts(tracing, consumer, groupId);
  return consumer;
}
