/**
 * What the Kafka instrumentation (`@sofa-tracer/kafka`) and the Kafka metrics of
 * `@sofa-tracer/lookout` share, so neither package depends on the other: log-type names, span tag
 * names, and the `node:diagnostics_channel` channels through which the instrumentation publishes
 * kafkajs' batch and produce facts (offsets, high watermarks) for lag metrics.
 */

/** Log type (and file prefix) of producer spans: `kafkamq-send-digest.log` / `-stat.log`. */
export const KAFKA_SEND_LOG_TYPE_NAME = 'kafkamq-send';
/** Log type of consumer spans: `kafkamq-consume-digest.log` / `-stat.log`. */
export const KAFKA_CONSUME_LOG_TYPE_NAME = 'kafkamq-consume';

/** Span tags of Kafka spans. The first four are digest fields (Java's names). */
export const KafkaTags = {
  TOPIC: 'kafka.topic',
  PARTITION: 'kafka.partition',
  OFFSET: 'kafka.offset',
  ERROR: 'error',
  /** Consumer group id (consumer spans). */
  GROUP: 'kafka.group',
  /** Record timestamp, epoch ms (consumer spans): the produce→consume latency is measured from it. */
  TIMESTAMP: 'kafka.timestamp',
} as const;

/**
 * Channel names; payloads are {@link KafkaBatchEvent}, {@link KafkaProducedEvent},
 * {@link KafkaAssignmentEvent}, {@link KafkaRequestEvent}.
 */
export const KAFKA_CHANNELS = {
  /**
   * A consumer handed a fetched batch of one partition to the handler (kafkajs
   * `START_BATCH_PROCESS`) or finished handling it (`END_BATCH_PROCESS`).
   */
  batch: 'sofa-tracer:kafka:batch',
  /** A producer got offsets back from the broker for one partition. */
  produced: 'sofa-tracer:kafka:produced',
  /** A consumer joined its group (new assignment) or left it (`assignment` null). */
  assignment: 'sofa-tracer:kafka:assignment',
  /** A producer or consumer finished (or timed out on) one request to a broker (kafkajs `REQUEST`, `REQUEST_TIMEOUT`). */
  request: 'sofa-tracer:kafka:request',
} as const;

/** Offsets are kafkajs strings (64-bit safe); numbers here are exact below 2^53. */
export interface KafkaBatchEvent {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** Next offset the broker will write (the partition's end offset when the batch was fetched). */
  readonly highWatermark: number;
  /**
   * The group's position in the partition: the batch's first offset when the batch is handed to
   * the handler (`START_BATCH_PROCESS`), the offset after its last message once it was handled
   * (`END_BATCH_PROCESS`).
   */
  readonly position: number;
}

/** The broker stored records of `topic`/`partition` up to `nextOffset` − 1. */
export interface KafkaProducedEvent {
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: number;
}

/** A group member's partitions, or `null` when the member left (disconnect). */
export interface KafkaAssignmentEvent {
  readonly groupId: string;
  readonly assignment: Readonly<Record<string, readonly number[]>> | null;
}

/** One broker request of a Kafka client. */
export interface KafkaRequestEvent {
  /** Which client made it. */
  readonly client: 'producer' | 'consumer';
  /** Kafka API name as kafkajs reports it: `Produce`, `Fetch`, `Metadata`, `OffsetCommit`, … */
  readonly api: string;
  /** Time from sending to the response, ms (0 for a timeout). */
  readonly durationMs: number;
  /** True when the request timed out. */
  readonly timedOut: boolean;
}
