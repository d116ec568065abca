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

/** kafkajs' END_BATCH_PROCESS payload (offsets are strings). */
interface BatchPayload {
  topic: string;
  partition: number;
  highWatermark: string;
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

/** Adds `fn` for the kafkajs event named `events[key]`; its remover runs at `uninstall()`. */
function listen<P>(tracing: KafkaTracing, source: EventSource, key: string, fn: (payload: P) => void): void {
  const name = source.events?.[key];
  if (typeof source.on !== 'function' || typeof name !== 'string') return;
  try {
    const remove = source.on(name, (e: InstrumentationEvent<P>) => {
      if (!tracing.active || e === null || typeof e !== 'object') return;
      try {
        fn(e.payload);
      } catch {
        // a malformed event must not reach kafkajs' emitter
      }
    });
    if (typeof remove === 'function') tracing.cleanups.add(remove);
  } catch {
    // a client without this event: no facts from it
  }
}

/**
 * Republishes a producer's or consumer's broker requests (kafkajs `REQUEST`, `REQUEST_TIMEOUT`)
 * on `sofa-tracer:kafka:request`: one event per request, not per message.
 */
export function publishRequestFacts(
  tracing: KafkaTracing,
  source: EventSource,
  client: KafkaRequestEvent['client'],
): void {
  const publish = (p: RequestPayload | undefined, timedOut: boolean): void => {
    if (!requestChannel.hasSubscribers || !p || typeof p.apiName !== 'string') return;
    const durationMs = typeof p.duration === 'number' && p.duration >= 0 ? p.duration : 0;
    const event: KafkaRequestEvent = { client, api: p.apiName, durationMs, timedOut };
    requestChannel.publish(event);
  };
  listen<RequestPayload>(tracing, source, 'REQUEST', (p) => publish(p, false));
  listen<RequestPayload>(tracing, source, 'REQUEST_TIMEOUT', (p) => publish(p, true));
}

/**
 * Listens to a consumer's own instrumentation events — no extra broker request — and republishes
 * what lag metrics need on the `sofa-tracer:kafka:*` diagnostics channels: after each batch the
 * partition's high watermark and the group's position, on each group join the new assignment, on
 * disconnect the end of it; and its broker requests. Nothing is computed while no one subscribes.
 */
export function publishConsumerFacts(tracing: KafkaTracing, consumer: EventSource, groupId: string): void {
  listen<BatchPayload>(tracing, consumer, 'END_BATCH_PROCESS', (p) => {
    if (!batchChannel.hasSubscribers || !p) return;
    const highWatermark = Number(p.highWatermark);
    const last = Number(p.lastOffset);
    if (!Number.isFinite(highWatermark) || !Number.isFinite(last)) return;
    const event: KafkaBatchEvent = {
      groupId,
      topic: p.topic,
      partition: p.partition,
      highWatermark,
      position: last + 1,
    };
    batchChannel.publish(event);
  });
  listen<JoinPayload>(tracing, consumer, 'GROUP_JOIN', (p) => {
    const assignment = p?.memberAssignment;
    if (!assignmentChannel.hasSubscribers || assignment === null || typeof assignment !== 'object') return;
    const event: KafkaAssignmentEvent = { groupId, assignment };
    assignmentChannel.publish(event);
  });
  listen<unknown>(tracing, consumer, 'DISCONNECT', () => {
    if (!assignmentChannel.hasSubscribers) return;
    const event: KafkaAssignmentEvent = { groupId, assignment: null };
    assignmentChannel.publish(event);
  });
  publishRequestFacts(tracing, consumer, 'consumer');
}
