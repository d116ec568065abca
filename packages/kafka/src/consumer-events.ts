import { channel } from 'node:diagnostics_channel';
import { KAFKA_CHANNELS, type KafkaAssignmentEvent, type KafkaBatchEvent } from '@sofa-tracer/core';
import type { ConsumerLike, InstrumentationEvent } from './kafkajs-types';
import type { KafkaTracing } from './tracing';

const batchChannel = channel(KAFKA_CHANNELS.batch);
const assignmentChannel = channel(KAFKA_CHANNELS.assignment);

/** kafkajs' END_BATCH_PROCESS payload (offsets are strings). */
interface BatchPayload {
  topic: string;
  partition: number;
  highWatermark: string;
  lastOffset: string;
}

/** kafkajs' GROUP_JOIN payload. */
interface JoinPayload {
  groupId?: string;
  memberAssignment?: Record<string, number[]>;
}

/**
 * Listens to a consumer's own instrumentation events — no extra broker request — and republishes
 * what lag metrics need on the `sofa-tracer:kafka:*` diagnostics channels: after each batch the
 * partition's high watermark and the group's position, on each group join the new assignment, on
 * disconnect the end of it. Nothing is computed while no one subscribes.
 */
export function publishConsumerFacts(tracing: KafkaTracing, consumer: ConsumerLike, groupId: string): void {
  const events = consumer.events;
  if (typeof consumer.on !== 'function' || events === null || typeof events !== 'object') return;
  const on = (name: string | undefined, fn: (e: InstrumentationEvent<never>) => void): void => {
    if (typeof name !== 'string') return;
    try {
      const remove = consumer.on!(name, fn);
      if (typeof remove === 'function') tracing.cleanups.add(remove);
    } catch {
      // a consumer without this event: no lag facts from it
    }
  };
  on(events.END_BATCH_PROCESS, (e: InstrumentationEvent<BatchPayload>) => {
    if (!tracing.active || !batchChannel.hasSubscribers) return;
    const p = e?.payload;
    if (!p) return;
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
  on(events.GROUP_JOIN, (e: InstrumentationEvent<JoinPayload>) => {
    if (!tracing.active || !assignmentChannel.hasSubscribers) return;
    const assignment = e?.payload?.memberAssignment;
    if (assignment === null || typeof assignment !== 'object') return;
    const event: KafkaAssignmentEvent = { groupId, assignment };
    assignmentChannel.publish(event);
  });
  on(events.DISCONNECT, () => {
    if (!tracing.active || !assignmentChannel.hasSubscribers) return;
    const event: KafkaAssignmentEvent = { groupId, assignment: null };
    assignmentChannel.publish(event);
  });
}
