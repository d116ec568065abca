import { channel } from 'node:diagnostics_channel';
import {
  KAFKA_CHANNELS,
  KAFKA_SEND_LOG_TYPE_NAME,
  KafkaTags,
  type KafkaProducedEvent,
  type Span,
  type Tracer,
} from '@sofa-tracer/core';
import { publishProducerFacts } from './consumer-events';
import { headersForSend } from './headers';
import type {
  KafkaHeaderValue,
  PartitionerArgs,
  PartitionerFactory,
  ProducedMessage,
  ProducerBatch,
  ProducerConfig,
  ProducerLike,
  ProducerRecord,
  RecordMetadata,
  Sender,
} from './kafkajs-types';
import { kafkaErrorResultCode, KafkaResultCodes } from './log-types';
import type { KafkaTracing } from './tracing';

/** Java's producer operation name. */
export const SEND_OPERATION = 'mq-kafka-send';

const producedChannel = channel(KAFKA_CHANNELS.produced);

/** The partition kafkajs' partitioner chose for each message clone we handed it. */
const chosenPartition = new WeakMap<object, number>();

/**
 * Wraps the producer config's partitioner so the partition each message really goes to is known
 * (kafkajs only reports offsets per partition, not per message). The partitioner's decision is
 * not changed. Without a `createPartitioner` the module's default partitioner is used — the one
 * kafkajs would pick — which also silences kafkajs' one-time "default partitioner changed"
 * warning.
 */
export function withRecordingPartitioner(
  config: ProducerConfig | undefined,
  fallback: PartitionerFactory | undefined,
): ProducerConfig | undefined {
  const factory = config?.createPartitioner ?? fallback;
  if (typeof factory !== 'function') return config;
  const createPartitioner: PartitionerFactory = () => {
    const partitioner = factory();
    return (args: PartitionerArgs) => {
      const p = partitioner(args);
      if (
        args !== null &&
        typeof args === 'object' &&
        typeof args.message === 'object' &&
        args.message !== null
      )
        chosenPartition.set(args.message, p);
      return p;
    };
  };
  return { ...config, createPartitioner };
}

/**
 * Writes injected headers straight into the fresh header copy: `headersForSend` already removed
 * every trace header, so the case-insensitive replacement of core's generic object writer is not
 * needed (codecs never write a name shaped `__proto__`).
 */
class FreshHeaders {
  constructor(private readonly target: Record<string, KafkaHeaderValue>) {}
  get(): null {
    return null;
  }
  set(name: string, value: string): void {
    this.target[name] = value;
  }
}

/** One message being sent: its span and the clone handed to kafkajs. */
interface Pending {
  readonly span: Span;
  readonly clone: ProducedMessage;
  readonly topic: string;
}

/**
 * The traced send path shared by `send`, `sendBatch` and a transaction's `send`/`sendBatch`:
 * one producer span per message (child of the active span), trace headers injected into a
 * shallow clone of each message (the caller's objects are never changed), every span finished
 * when kafkajs settles the call.
 */
class SendTracer {
  constructor(private readonly tracing: KafkaTracing) {}

  /** A traced `send(record)`. */
  send(target: Sender, original: Sender['send'], record: ProducerRecord): Promise<RecordMetadata[]> {
    const valid = record !== null && typeof record === 'object' && Array.isArray(record.messages);
    return this.traced(target, original, record, valid, (tracer, pending) => ({
      ...record,
      messages: this.prepare(tracer, record.topic, record.messages, pending),
    }));
  }

  /** A traced `sendBatch({ topicMessages })`. */
  sendBatch(target: Sender, original: Sender['sendBatch'], batch: ProducerBatch): Promise<RecordMetadata[]> {
    const valid = batch !== null && typeof batch === 'object' && Array.isArray(batch.topicMessages);
    return this.traced(target, original, batch, valid, (tracer, pending) => ({
      ...batch,
      topicMessages: batch.topicMessages!.map((tm) =>
        tm !== null && typeof tm === 'object' && Array.isArray(tm.messages)
          ? { ...tm, messages: this.prepare(tracer, tm.topic, tm.messages, pending) }
          : tm,
      ),
    }));
  }

  /**
   * Calls `original` with the traced copy `build` makes of `arg` (spans started, headers
   * injected); when no tracer runs, the argument is not something kafkajs accepts, or preparing
   * fails, `arg` goes out unchanged.
   */
  private traced<A>(
    target: Sender,
    original: (this: Sender, arg: A) => Promise<RecordMetadata[]>,
    arg: A,
    valid: boolean,
    build: (tracer: Tracer, pending: Pending[]) => A,
  ): Promise<RecordMetadata[]> {
    const tracer = valid ? this.tracing.tracer() : undefined;
    if (tracer === undefined) return original.call(target, arg);
    const pending: Pending[] = [];
    let traced: A;
    try {
      traced = build(tracer, pending);
    } catch (e) {
      this.abandon(tracer, pending, e);
      return original.call(target, arg);
    }
    return this.settle(tracer, original.call(target, traced), pending);
  }

  private prepare(
    tracer: Tracer,
    topic: string,
    messages: ProducedMessage[],
    pending: Pending[],
  ): ProducedMessage[] {
    const parent = tracer.activeSpan();
    if (parent === undefined && this.tracing.requireParent) return messages;
    const out = new Array<ProducedMessage>(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      if (m === null || typeof m !== 'object') {
        out[i] = m; // kafkajs rejects it; nothing to trace
        continue;
      }
      const span = tracer.startSpan(SEND_OPERATION, {
        kind: 'producer',
        childOf: parent ?? null,
        logType: KAFKA_SEND_LOG_TYPE_NAME,
        tags: {
          [KafkaTags.TOPIC]: String(topic),
          [KafkaTags.PARTITION]: typeof m.partition === 'number' ? m.partition : -1,
        },
      });
      const headers = headersForSend(m.headers);
      this.tracing.inject(tracer, span.context(), new FreshHeaders(headers));
      const clone: ProducedMessage = { ...m, headers };
      out[i] = clone;
      pending.push({ span, clone, topic: String(topic) });
    }
    return out;
  }

  private async settle(
    tracer: Tracer,
    result: Promise<RecordMetadata[]>,
    pending: Pending[],
  ): Promise<RecordMetadata[]> {
    let metadata: RecordMetadata[];
    try {
      metadata = await result;
    } catch (error) {
      this.finishAll(pending, error);
      throw error;
    }
    try {
      this.finishAll(pending, undefined);
      if (producedChannel.hasSubscribers && Array.isArray(metadata)) publishOffsets(pending, metadata);
    } catch (e) {
      this.tracing.fault(tracer, 'finishing producer spans failed', e);
    }
    return metadata;
  }

  private finishAll(pending: Pending[], error: unknown): void {
    const failed = error !== undefined;
    const code = failed ? kafkaErrorResultCode(error) : KafkaResultCodes.SUCCESS;
    for (const p of pending) {
      const partition = chosenPartition.get(p.clone);
      if (partition !== undefined) p.span.setTag(KafkaTags.PARTITION, partition);
      if (failed) p.span.setError(error);
      p.span.setResultCode(code);
      p.span.finish();
    }
  }

  private abandon(tracer: Tracer, pending: Pending[], error: unknown): void {
    this.tracing.fault(tracer, 'preparing trace headers failed; the records go out untraced', error);
    for (const p of pending) {
      p.span.setResultCode(KafkaResultCodes.ERROR);
      p.span.finish();
    }
  }
}

/** Publishes, per topic and partition, the offset after the last record just stored. */
function publishOffsets(pending: Pending[], metadata: RecordMetadata[]): void {
  const counts = new Map<string, number>();
  for (const p of pending) {
    const partition = chosenPartition.get(p.clone);
    if (partition === undefined) continue;
    const key = p.topic + '\u0000' + partition;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const md of metadata) {
    if (md === null || typeof md !== 'object' || md.baseOffset === undefined) continue;
    const base = Number(md.baseOffset);
    const count = counts.get(md.topicName + '\u0000' + md.partition);
    if (!Number.isFinite(base) || base < 0 || count === undefined) continue;
    const event: KafkaProducedEvent = {
      topic: md.topicName,
      partition: md.partition,
      nextOffset: base + count,
    };
    producedChannel.publish(event);
  }
}

/** Replaces `send`/`sendBatch` (and, for producers, `transaction`) on one producer or transaction object. */
export function wrapSender<T extends Sender & Record<string, unknown>>(tracing: KafkaTracing, target: T): T {
  const tracer = new SendTracer(tracing);
  const send = target.send;
  const sendBatch = target.sendBatch;
  if (typeof send === 'function')
    target.send = function tracedSend(this: Sender, record: ProducerRecord) {
      return tracing.active ? tracer.send(this ?? target, send, record) : send.call(this ?? target, record);
    };
  if (typeof sendBatch === 'function')
    target.sendBatch = function tracedSendBatch(this: Sender, batch: ProducerBatch) {
      return tracing.active
        ? tracer.sendBatch(this ?? target, sendBatch, batch)
        : sendBatch.call(this ?? target, batch);
    };
  return target;
}

/** Wraps a new producer: send, sendBatch, and the send functions of every transaction it opens. */
export function wrapProducer(tracing: KafkaTracing, producer: ProducerLike): ProducerLike {
  if (producer === null || typeof producer !== 'object') return producer;
  wrapSender(tracing, producer);
  publishProducerFacts(tracing, producer);
  const transaction = producer.transaction;
  if (typeof transaction === 'function') {
    producer.transaction = async function tracedTransaction(this: ProducerLike) {
      const txn = await transaction.call(this ?? producer);
      if (!tracing.active || txn === null || typeof txn !== 'object') return txn;
      return wrapSender(tracing, txn);
    };
  }
  return producer;
}
