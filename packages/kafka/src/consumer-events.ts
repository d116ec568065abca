import { channel } from 'node:diagnostics_channel';
import {
  KAFKA_CHANNELS,
  type KafkaAssignmentEvent,
  type KafkaBatchEvent,
  type KafkaRequestEvent,
} from '@sofa-tracer/core';
import type { InstrumentationEvent } from './kafkajs-types';
import type { KafkaTracing } from './tracing';

const batchChannel = channel(KAFKA_CHANNELS.batch);
const assignmentChannel = channel(KAFKA_CHANNELS.assignment);
const requestChannel = channel(KAFKA_CHANNELS.request);

/** A kafkajs producer or consumer as an instrumentation-event source. */
interface EventSource {
  on?(event: string, listener: (event: InstrumentationEvent<never>) => void): () => void;
  events?: Record<string, string>;
}

/**
 * kafkajs' START_BATCH_PROCESS / END_BATCH_PROCESS payload (offsets are strings; `firstOffset` is
 * null for a batch whose records were all filtered out).
 */
interface BatchPayload {
  topic: string;
  partition: number;
  highWatermark: string;
  firstOffset?: string | null;
  lastOffset: string;
}

/** kafkajs' GROUP_JOIN payload. */
interface JoinPayload {
  memberAssignment?: Record<string, number[]>;
}

/** kafkajs' REQUEST / REQUEST_TIMEOUT payload. */
interface RequestPayload {
  apiName?: string;
  duration?: number;
}

/**
 * Adds `fn` for the kafkajs event named `events[key]`; its remover runs at `uninstall()`. False when
 * the client has no such event (no `on`, no `events[key]`, or `on` throws — e.g. a KafkaJS-like
 * API without instrumentation events).
 */
function listen<P>(
  tracing: KafkaTracing,
  source: EventSource,
  key: string,
  fn: (payload: P) => void,
): boolean {
  try {
    // inside the try: @confluentinc/kafka-javascript's `events` getter and `on()` throw
    const name = source.events?.[key];
    if (typeof source.on !== 'function' || typeof name !== 'string') return false;
    const remove = source.on(name, (e: InstrumentationEvent<P>) => {
      if (!tracing.active || e === null || typeof e !== 'object') return;
      try {
        fn(e.payload);
      } catch {
        // a malformed event must not reach kafkajs' emitter
      }
    });
    if (typeof remove === 'function') tracing.cleanups.add(remove);
    return true;
  } catch {
    return false; // a client without this event: no facts from it
  }
}

/** Series lookout builds from each instrumentation event (for the "unavailable" notice). */
const METRICS_OF_EVENT: Readonly<Record<string, string>> = {
  START_BATCH_PROCESS:
    'kafka_consumergroup_lag, kafka_consumergroup_lag_sum, kafka_consumergroup_current_offset',
  END_BATCH_PROCESS:
    'kafka_consumergroup_lag, kafka_consumergroup_lag_sum, kafka_consumergroup_current_offset',
  GROUP_JOIN: 'removal of lag series of partitions a rebalance took away',
  DISCONNECT: 'removal of the lag series of a group that disconnected',
  REQUEST: 'kafka_client_request_duration_seconds',
  REQUEST_TIMEOUT: 'kafka_client_request_timeouts_total',
};

/** One self-log info line (once per installation and client kind) naming what `missing` costs. */
function reportMissing(tracing: KafkaTracing, client: string, missing: readonly string[]): void {
  if (missing.length === 0) return;
  const metrics = [
    ...new Set(
      missing
        .map((k) => METRICS_OF_EVENT[k])
        .join(', ')
        .split(', '),
    ),
  ];
  tracing.notice(
    `kafka: this ${client} has no kafkajs instrumentation event ${missing.join(', ')} (on/events): ` +
      `${metrics.join(', ')} unavailable for it; its spans and span metrics are unaffected`,
    `missing-events:${client}:${missing.join(',')}`,
  );
}

/**
 * Republishes a producer's or consumer's broker requests (kafkajs `REQUEST`, `REQUEST_TIMEOUT`)
 * on `sofa-tracer:kafka:request`: one event per request, not per message. Returns the events the
 * client does not have.
 */
export function publishRequestFacts(
  tracing: KafkaTracing,
  source: EventSource,
  client: KafkaRequestEvent['client'],
): string[] {
  const publish = (p: RequestPayload | undefined, timedOut: boolean): void => {
    if (!requestChannel.hasSubscribers || !p || typeof p.apiName !== 'string') return;
    const durationMs = typeof p.duration === 'number' && p.duration >= 0 ? p.duration : 0;
    const event: KafkaRequestEvent = { client, api: p.apiName, durationMs, timedOut };
    requestChannel.publish(event);
  };
  const missing: string[] = [];
  if (!listen<RequestPayload>(tracing, source, 'REQUEST', (p) => publish(p, false))) missing.push('REQUEST');
  if (!listen<RequestPayload>(tracing, source, 'REQUEST_TIMEOUT', (p) => publish(p, true)))
    missing.push('REQUEST_TIMEOUT');
  return missing;
}

/** Publishes a batch fact: the partition's end offset and the group's position. */
function publishBatch(
  groupId: string,
  p: BatchPayload | undefined,
  position: (p: BatchPayload) => number,
): void {
  if (!batchChannel.hasSubscribers || !p) return;
  const highWatermark = Number(p.highWatermark);
  const at = position(p);
  if (!Number.isFinite(highWatermark) || !Number.isFinite(at)) return;
  const event: KafkaBatchEvent = {
    groupId,
    topic: p.topic,
    partition: p.partition,
    highWatermark,
    position: at,
  };
  batchChannel.publish(event);
}

/**
 * Listens to a consumer's own instrumentation events — no extra broker request — and republishes
 * what lag metrics need on the `sofa-tracer:kafka:*` diagnostics channels: when a fetched batch
 * is handed to the handler (`START_BATCH_PROCESS`: the partition's high watermark at fetch time,
 * the group still at the batch's first offset — so a handler stuck on records produced by another
 * process shows them as lag) and after it was handled (`END_BATCH_PROCESS`: the position moves
 * past its last offset), on each group join the new assignment, on disconnect the end of it; and
 * its broker requests. Nothing is computed while no one subscribes.
 */
export function publishConsumerFacts(tracing: KafkaTracing, consumer: EventSource, groupId: string): void {
  const missing: string[] = [];
  const add = <P>(key: string, fn: (payload: P) => void): void => {
    if (!listen<P>(tracing, consumer, key, fn)) missing.push(key);
  };
  // a batch with no first offset (every record filtered out) is resolved at once: END follows
  add<BatchPayload>('START_BATCH_PROCESS', (p) =>
    publishBatch(groupId, p, (b) => (b.firstOffset == null ? NaN : Number(b.firstOffset))),
  );
  add<BatchPayload>('END_BATCH_PROCESS', (p) => publishBatch(groupId, p, (b) => Number(b.lastOffset) + 1));
  add<JoinPayload>('GROUP_JOIN', (p) => {
    const assignment = p?.memberAssignment;
    if (!assignmentChannel.hasSubscribers || assignment === null || typeof assignment !== 'object') return;
    const event: KafkaAssignmentEvent = { groupId, assignment };
    assignmentChannel.publish(event);
  });
  add<unknown>('DISCONNECT', () => {
    if (!assignmentChannel.hasSubscribers) return;
    const event: KafkaAssignmentEvent = { groupId, assignment: null };
    assignmentChannel.publish(event);
  });
  missing.push(...publishRequestFacts(tracing, consumer, 'consumer'));
  reportMissing(tracing, 'consumer', missing);
}

/** A producer's broker-request facts, with the notice when its client has no such events. */
export function publishProducerFacts(tracing: KafkaTracing, producer: EventSource): void {
  reportMissing(tracing, 'producer', publishRequestFacts(tracing, producer, 'producer'));
}
