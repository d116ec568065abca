import type { KafkaMetrics } from '@sofa-tracer/lookout';
import { makeSpan } from './spans';

/** Feeds every Kafka metric family with data: a failed send, a failed consume, broker requests, lag. */
export function feedKafkaMetrics(k: KafkaMetrics): void {
  k.onSpanReport(
    makeSpan({
      kind: 'producer',
      logType: 'kafkamq-send',
      operationName: 'mq-kafka-send',
      resultCode: '99',
      tags: { 'kafka.topic': 'orders', 'kafka.partition': 0 },
    }),
  );
  k.onSpanReport(
    makeSpan({
      kind: 'consumer',
      logType: 'kafkamq-consume',
      operationName: 'mq-kafka-consume',
      resultCode: '99',
      tags: {
        'kafka.topic': 'orders',
        'kafka.partition': 0,
        'kafka.offset': 2,
        'kafka.group': 'billing',
        'kafka.timestamp': 1_699_999_999_000,
      },
    }),
  );
  k.recordRequest({ client: 'producer', api: 'Produce', durationMs: 3, timedOut: false });
  k.recordRequest({ client: 'consumer', api: 'Fetch', durationMs: 0, timedOut: true });
  k.lag.onBatch({ groupId: 'billing', topic: 'orders', partition: 0, highWatermark: 5, position: 3 });
}
