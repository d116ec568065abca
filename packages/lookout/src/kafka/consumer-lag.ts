import type { KafkaAssignmentEvent, KafkaBatchEvent, KafkaProducedEvent } from '@sofa-tracer/core';
import type { Id } from '../api/id';
import type { Registry } from '../api/registry';

/** Lookout names of the lag gauges (Prometheus names as kafka_exporter's). */
export const KAFKA_LAG_METRICS = {
  lag: 'kafka.consumergroup.lag',
  lagSum: 'kafka.consumergroup.lag_sum',
  currentOffset: 'kafka.consumergroup.current_offset',
  partitionOffset: 'kafka.topic.partition.current_offset',
} as const;

interface PartitionState {
  /**
   * The group's position: the batch's first offset while a batch is being handled, the offset
   * after its last record once it was.
   */
  position: number;
  readonly ids: readonly Id[];
}

interface TopicState {
  readonly partitions: Map<number, PartitionState>;
  readonly sumId: Id;
}

const SEP = '\u0000';

/**
 * Consumer-group lag from facts the client already has — no broker round-trip: the end offset
 * (high watermark) comes with every fetched batch and with every produce acknowledgement seen in
 * this process. The group's position comes from the consumer's batch events: when a batch is
 * handed to the handler (kafkajs `START_BATCH_PROCESS`) it is the batch's first offset — so
 * records not handled yet, including those of a handler that is stuck, count as lag — and once
 * the batch was handled (`END_BATCH_PROCESS`) it is the offset after the batch's last record.
 * `lag = max(0, end offset − position)`, exported under kafka_exporter's names
 * (`kafka_consumergroup_lag{consumergroup,topic,partition}`, `kafka_consumergroup_lag_sum`,
 * `kafka_consumergroup_current_offset`, `kafka_topic_partition_current_offset`) so existing
 * dashboards and alert rules apply. Series of partitions a rebalance moved away, or of a group
 * whose consumer disconnected, are removed.
 */
export class ConsumerLag {
  /** Highest end offset known per `topic\0partition`. */
  private readonly ends = new Map<string, number>();
  private readonly endIds = new Map<string, Id>();
  private readonly groups = new Map<string, Map<string, TopicState>>();

  constructor(private readonly registry: Registry) {}

  /**
   * A consumer got a batch of one partition (`START_BATCH_PROCESS`: position = the batch's first
   * offset) or finished handling it (`END_BATCH_PROCESS`: position = its last offset + 1); both
   * carry the partition's high watermark from the fetch.
   */
  onBatch(e: KafkaBatchEvent): void {
    if (!isOffset(e.highWatermark) || !isOffset(e.position) || typeof e.topic !== 'string') return;
    this.raiseEnd(e.topic, e.partition, e.highWatermark);
    const p = this.partition(String(e.groupId), e.topic, e.partition);
    p.position = e.position;
  }

  /** A producer in this process stored records up to `nextOffset − 1`. */
  onProduced(e: KafkaProducedEvent): void {
    if (!isOffset(e.nextOffset) || typeof e.topic !== 'string') return;
    this.raiseEnd(e.topic, e.partition, e.nextOffset);
  }

  /** A member joined with a new assignment (drop partitions it lost) or left (drop the group). */
  onAssignment(e: KafkaAssignmentEvent): void {
    const topics = this.groups.get(String(e.groupId));
    if (topics === undefined) return;
    for (const [topic, state] of topics) {
      const keep = e.assignment?.[topic];
      for (const [partition, p] of state.partitions) {
        if (keep !== undefined && keep.includes(partition)) continue;
        for (const id of p.ids) this.registry.removeMetric(id);
        state.partitions.delete(partition);
      }
      if (state.partitions.size === 0) {
        this.registry.removeMetric(state.sumId);
        topics.delete(topic);
      }
    }
    if (topics.size === 0) this.groups.delete(String(e.groupId));
  }

  /** Current lag of one partition, or undefined when unknown. */
  lag(groupId: string, topic: string, partition: number): number | undefined {
    const p = this.groups.get(groupId)?.get(topic)?.partitions.get(partition);
    return p === undefined ? undefined : this.lagOf(topic, partition, p);
  }

  private lagOf(topic: string, partition: number, p: PartitionState): number {
    const end = this.ends.get(topic + SEP + partition);
    return end === undefined ? 0 : Math.max(0, end - p.position);
  }

  private raiseEnd(topic: string, partition: number, end: number): void {
    const key = topic + SEP + partition;
    const known = this.ends.get(key);
    if (known !== undefined && known >= end) return;
    this.ends.set(key, end);
    if (!this.endIds.has(key)) {
      const id = this.registry.createId(KAFKA_LAG_METRICS.partitionOffset, {
        topic,
        partition: String(partition),
      });
      this.endIds.set(key, id);
      this.registry.gauge(id, () => this.ends.get(key) ?? NaN, {
        description: 'End offset (high watermark) of a partition, as last seen by this process',
      });
    }
  }

  private partition(groupId: string, topic: string, partition: number): PartitionState {
    let topics = this.groups.get(groupId);
    if (topics === undefined) this.groups.set(groupId, (topics = new Map()));
    let state = topics.get(topic);
    if (state === undefined) {
      const sumId = this.registry.createId(KAFKA_LAG_METRICS.lagSum, { consumergroup: groupId, topic });
      const partitions = new Map<number, PartitionState>();
      state = { partitions, sumId };
      topics.set(topic, state);
      this.registry.gauge(
        sumId,
        () => {
          let sum = 0;
          for (const [n, p] of partitions) sum += this.lagOf(topic, n, p);
          return sum;
        },
        { description: 'Consumer group lag summed over the partitions of a topic (messages)' },
      );
    }
    let p = state.partitions.get(partition);
    if (p === undefined) {
      const tags = { consumergroup: groupId, topic, partition: String(partition) };
      const lagId = this.registry.createId(KAFKA_LAG_METRICS.lag, tags);
      const offsetId = this.registry.createId(KAFKA_LAG_METRICS.currentOffset, tags);
      const created: PartitionState = { position: 0, ids: [lagId, offsetId] };
      p = created;
      state.partitions.set(partition, created);
      this.registry.gauge(lagId, () => this.lagOf(topic, partition, created), {
        description: 'Consumer group lag per partition: end offset minus the group position (messages)',
      });
      this.registry.gauge(offsetId, () => created.position, {
        description: 'Consumer group position per partition (offset after the last processed record)',
      });
    }
    return p;
  }
}

function isOffset(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}
