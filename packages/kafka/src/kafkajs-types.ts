/**
 * The parts of kafkajs 2.x (and of `@confluentinc/kafka-javascript`'s `KafkaJS` API) this package
 * touches, typed structurally so the package compiles and loads without either installed.
 */

/** A header value as producers may send it and consumers receive it. */
export type KafkaHeaderValue = string | Buffer | (string | Buffer)[] | undefined;

/** `message.headers`. */
export type KafkaHeaders = Record<string, KafkaHeaderValue>;

/** A message given to `send` (only the fields read here). */
export interface ProducedMessage {
  partition?: number;
  headers?: KafkaHeaders;
  [field: string]: unknown;
}

/** A consumed message (only the fields read here). */
export interface ConsumedMessage {
  offset: string;
  timestamp?: string;
  headers?: KafkaHeaders;
  [field: string]: unknown;
}

/** `send(record)`. */
export interface ProducerRecord {
  topic: string;
  messages: ProducedMessage[];
  [field: string]: unknown;
}

/** `sendBatch(batch)`. */
export interface ProducerBatch {
  topicMessages?: { topic: string; messages: ProducedMessage[] }[];
  [field: string]: unknown;
}

/** One entry of what `send`/`sendBatch` resolve with. */
export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode?: number;
  baseOffset?: string;
}

/** Send functions of a producer or a transaction. */
export interface Sender {
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
}

/** A producer (only the fields read or wrapped here). */
export interface ProducerLike extends Sender {
  transaction?(): Promise<Sender & Record<string, unknown>>;
  on?(event: string, listener: (event: InstrumentationEvent<never>) => void): () => void;
  events?: Record<string, string>;
  [field: string]: unknown;
}

/** An instrumentation event of kafkajs (`consumer.on(consumer.events.X, fn)`). */
export interface InstrumentationEvent<P> {
  readonly payload: P;
}

/** The batch of `eachBatch` (only the fields read here). */
export interface BatchLike {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  [field: string]: unknown;
}

/** `eachMessage` payload. */
export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: ConsumedMessage;
  [field: string]: unknown;
}

/** `eachBatch` payload. */
export interface EachBatchPayload {
  batch: BatchLike;
  resolveOffset(offset: string): void;
  [field: string]: unknown;
}

/** `consumer.run(config)`. */
export interface ConsumerRunConfig {
  eachMessage?: (payload: EachMessagePayload) => Promise<void>;
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  [field: string]: unknown;
}

/** A consumer (only the fields read or wrapped here). */
export interface ConsumerLike {
  run(config?: ConsumerRunConfig): Promise<void>;
  on?(event: string, listener: (event: InstrumentationEvent<never>) => void): () => void;
  events?: Record<string, string>;
  [field: string]: unknown;
}

/** `kafka.consumer(config)`. */
export interface ConsumerConfig {
  groupId: string;
  [field: string]: unknown;
}

/** `kafka.producer(config)`. */
export interface ProducerConfig {
  createPartitioner?: PartitionerFactory;
  [field: string]: unknown;
}

/** Arguments of a partitioner. */
export interface PartitionerArgs {
  topic: string;
  message: ProducedMessage;
  [field: string]: unknown;
}

/** `createPartitioner` (kafkajs' `ICustomPartitioner`). */
export type PartitionerFactory = () => (args: PartitionerArgs) => number;

/** The `Kafka` class' prototype methods wrapped here. */
export interface KafkaPrototype {
  producer(config?: ProducerConfig): ProducerLike;
  consumer(config: ConsumerConfig): ConsumerLike;
}

/**
 * What `instrumentKafka({ kafkajs })` accepts: a kafkajs-compatible module (its `Kafka` class is
 * checked at start-up). Typed loosely so `require('kafkajs')` and its own typings fit.
 */
export interface KafkaModuleLike {
  readonly Kafka: abstract new (...args: never[]) => object;
}

/** A kafkajs-compatible module as used inside: `Kafka` and `Partitioners.DefaultPartitioner`. */
export interface KafkaModule {
  Kafka: { prototype: KafkaPrototype };
  Partitioners?: { DefaultPartitioner?: PartitionerFactory };
}
