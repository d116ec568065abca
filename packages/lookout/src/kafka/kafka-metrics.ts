import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  KAFKA_CHANNELS,
  KAFKA_CONSUME_LOG_TYPE_NAME,
  KAFKA_SEND_LOG_TYPE_NAME,
  KafkaTags,
  type KafkaAssignmentEvent,
  type KafkaBatchEvent,
  type KafkaProducedEvent,
  type KafkaRequestEvent,
  type ReadableSpan,
  type SpanListener,
} from '@sofa-tracer/core';
import type { Registry } from '../api/registry';
import type { Counter, Timer } from '../api/types';
import { LabelGuard } from '../spans/label-guard';
import { LABEL_OVERFLOW_METRIC } from '../spans/span-metrics';
import { ConsumerLag } from './consumer-lag';

/** Options of the Kafka metrics. */
export interface KafkaMetricsOptions {
  /** Distinct topics (and consumer groups) per family before values collapse to `OTHER`. Default 100. */
  maxLabelValues?: number;
  /** Buckets of the produce and process duration histograms, seconds. Default: the registry's timer buckets. */
  durationBuckets?: readonly number[];
  /** Buckets of the produce→consume latency histogram, seconds. Default {@link DEFAULT_LATENCY_BUCKETS}. */
  latencyBuckets?: readonly number[];
}

/** Produce→consume latency buckets: 5 ms to 10 min (a backlog drains in minutes, not milliseconds). */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
];

/** Lookout names of the span-derived Kafka metrics (Prometheus: `.`→`_`, `_total` / `_seconds`). */
export const KAFKA_METRICS = {
  produced: 'kafka.producer.messages',
  produceErrors: 'kafka.producer.errors',
  produceDuration: 'kafka.producer.duration',
  consumed: 'kafka.consumer.messages',
  consumeErrors: 'kafka.consumer.errors',
  processDuration: 'kafka.consumer.process.duration',
  latency: 'kafka.consumer.latency',
  requestDuration: 'kafka.client.request.duration',
  requestTimeouts: 'kafka.client.request.timeouts',
} as const;

type SecondsTimer = Timer & { recordSeconds?(seconds: number): void };

interface Handles {
  readonly messages: Counter;
  readonly duration: SecondsTimer;
  readonly latency: SecondsTimer | undefined;
  readonly tags: Readonly<Record<string, string>>;
  errors: Counter | undefined;
}

function record(timer: SecondsTimer, seconds: number): void {
  if (timer.recordSeconds !== undefined) timer.recordSeconds(seconds);
  else timer.record(seconds, 's');
}

/**
 * Kafka metrics of one Lookout registry. As a span listener it turns `@sofa-tracer/kafka`'s spans
 * into produce and consume rate, errors and duration per topic (and consumer group), and the
 * produce→consume latency from each record's timestamp. Subscribed to the instrumentation's
 * diagnostics channels, it keeps consumer-group lag ({@link ConsumerLag}). Never throws into the
 * tracer or the client.
 */
export class KafkaMetrics implements SpanListener {
  /** The lag bookkeeping (exposed for tests and custom exports). */
  readonly lag: ConsumerLag;
  private readonly producers = new Map<string, Handles>();
  private readonly consumers = new Map<string, Handles>();
  private readonly topicGuard: LabelGuard;
  private readonly groupGuard: LabelGuard;
  private readonly apiGuard: LabelGuard;
  private subscribed = false;
  private readonly onBatch = (m: unknown): void => this.safely(() => this.lag.onBatch(m as KafkaBatchEvent));
  private readonly onProduced = (m: unknown): void =>
    this.safely(() => this.lag.onProduced(m as KafkaProducedEvent));
  private readonly onAssignment = (m: unknown): void =>
    this.safely(() => this.lag.onAssignment(m as KafkaAssignmentEvent));
  private readonly onRequest = (m: unknown): void =>
    this.safely(() => this.recordRequest(m as KafkaRequestEvent));
  private readonly requests = new Map<string, { duration: SecondsTimer; timeouts: Counter | undefined }>();

  constructor(
    private readonly registry: Registry,
    private readonly options: KafkaMetricsOptions = {},
  ) {
    const max =
      options.maxLabelValues !== undefined && options.maxLabelValues > 0
        ? Math.floor(options.maxLabelValues)
        : 100;
    const overflow = (label: string) => () =>
      registry.counter(registry.createId(LABEL_OVERFLOW_METRIC, { family: 'kafka', label }), {
        description: 'Span metric label values collapsed to OTHER by the cardinality guard',
      });
    this.topicGuard = new LabelGuard(max, overflow('topic'));
    this.groupGuard = new LabelGuard(max, overflow('consumergroup'));
    this.apiGuard = new LabelGuard(max, overflow('api'));
    this.lag = new ConsumerLag(registry);
  }

  /** Starts listening to `@sofa-tracer/kafka`'s channels (idempotent). */
  subscribe(): this {
    if (!this.subscribed) {
      this.subscribed = true;
      subscribe(KAFKA_CHANNELS.batch, this.onBatch);
      subscribe(KAFKA_CHANNELS.produced, this.onProduced);
      subscribe(KAFKA_CHANNELS.assignment, this.onAssignment);
      subscribe(KAFKA_CHANNELS.request, this.onRequest);
    }
    return this;
  }

  /** Stops listening to the channels; the metrics stay registered. */
  close(): void {
    if (!this.subscribed) return;
    this.subscribed = false;
    unsubscribe(KAFKA_CHANNELS.batch, this.onBatch);
    unsubscribe(KAFKA_CHANNELS.produced, this.onProduced);
    unsubscribe(KAFKA_CHANNELS.assignment, this.onAssignment);
    unsubscribe(KAFKA_CHANNELS.request, this.onRequest);
  }

  /**
   * One broker request: its duration by client and Kafka API (`Produce`, `Fetch`, …; a consumer's
   * Fetch includes the broker's long-poll wait), and timeouts counted apart.
   */
  recordRequest(e: KafkaRequestEvent): void {
    if (e === null || typeof e !== 'object' || typeof e.api !== 'string') return;
    const client = e.client === 'producer' ? 'producer' : 'consumer';
    const api = this.apiGuard.value(e.api);
    const key = client + '\u0000' + api;
    let h = this.requests.get(key);
    if (h === undefined) {
      const r = this.registry;
      h = {
        duration: r.timer(r.createId(KAFKA_METRICS.requestDuration, { client, api }), {
          description: 'Kafka client requests to brokers by API, seconds (kafkajs REQUEST events)',
          buckets: this.options.durationBuckets,
        }),
        timeouts: undefined,
      };
      if (!h.duration.noop) this.requests.set(key, h);
    }
    if (e.timedOut) {
      h.timeouts ??= this.registry.counter(
        this.registry.createId(KAFKA_METRICS.requestTimeouts, { client, api }),
        { description: 'Kafka client requests to brokers that timed out' },
      );
      h.timeouts.inc();
    } else if (typeof e.durationMs === 'number' && e.durationMs >= 0) {
      record(h.duration, e.durationMs / 1000);
    }
  }

  onSpanReport(span: ReadableSpan): void {
    const lt = span.logType;
    if (lt !== KAFKA_SEND_LOG_TYPE_NAME && lt !== KAFKA_CONSUME_LOG_TYPE_NAME) return;
    this.safely(() => {
      const consume = lt === KAFKA_CONSUME_LOG_TYPE_NAME;
      const tags = span.tags;
      const topic = this.topicGuard.value(String(tags[KafkaTags.TOPIC] ?? ''));
      const group = consume ? this.groupGuard.value(String(tags[KafkaTags.GROUP] ?? '')) : '';
      const h = consume ? this.consumerHandles(group, topic) : this.producerHandles(topic);
      h.messages.inc();
      record(h.duration, span.durationMs / 1000);
      if (span.resultCode !== '00' || (span.error !== undefined && span.error !== null)) {
        h.errors ??= this.registry.counter(
          this.registry.createId(consume ? KAFKA_METRICS.consumeErrors : KAFKA_METRICS.produceErrors, h.tags),
          {
            description: consume
              ? 'Kafka messages whose handler failed'
              : 'Kafka messages the broker did not take',
          },
        );
        h.errors.inc();
      }
      const ts = tags[KafkaTags.TIMESTAMP];
      if (h.latency !== undefined && typeof ts === 'number' && ts > 0) {
        // clock skew between producer and consumer hosts can make it negative: count it as 0
        record(h.latency, Math.max(0, span.startTime - ts) / 1000);
      }
    });
  }

  private producerHandles(topic: string): Handles {
    let h = this.producers.get(topic);
    if (h === undefined) {
      const r = this.registry;
      const tags = { topic };
      h = {
        messages: r.counter(r.createId(KAFKA_METRICS.produced, tags), {
          description: 'Kafka messages produced (one per producer span)',
        }),
        duration: r.timer(r.createId(KAFKA_METRICS.produceDuration, tags), {
          description: 'Kafka send duration until the broker acknowledged, seconds',
          buckets: this.options.durationBuckets,
        }),
        latency: undefined,
        tags,
        errors: undefined,
      };
      if (!h.messages.noop) this.producers.set(topic, h);
    }
    return h;
  }

  private consumerHandles(group: string, topic: string): Handles {
    const key = group + '\u0000' + topic;
    let h = this.consumers.get(key);
    if (h === undefined) {
      const r = this.registry;
      const tags = { consumergroup: group, topic };
      h = {
        messages: r.counter(r.createId(KAFKA_METRICS.consumed, tags), {
          description: 'Kafka messages consumed (one per consumer span)',
        }),
        duration: r.timer(r.createId(KAFKA_METRICS.processDuration, tags), {
          description: 'Kafka message handler duration, seconds',
          buckets: this.options.durationBuckets,
        }),
        latency: r.timer(r.createId(KAFKA_METRICS.latency, tags), {
          description: 'Produce→consume latency: handler start minus the record timestamp, seconds',
          buckets: this.options.latencyBuckets ?? DEFAULT_LATENCY_BUCKETS,
        }),
        tags,
        errors: undefined,
      };
      if (!h.messages.noop) this.consumers.set(key, h);
    }
    return h;
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch {
      // metrics never break the tracer or the Kafka client
    }
  }
}
