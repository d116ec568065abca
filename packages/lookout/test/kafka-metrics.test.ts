import { channel } from 'node:diagnostics_channel';
import { KAFKA_CHANNELS } from '@sofa-tracer/core';
import { enableLookout, type Lookout } from '@sofa-tracer/lookout';
import { samplesOf, valueOf } from './helpers/prom-parse';
import { makeSpan } from './helpers/spans';

// The Kafka metrics of lookout, fed the way @sofa-tracer/kafka feeds them: finished spans of its
// log types, and offsets on its diagnostics channels. (End to end with kafkajs, a real broker and
// a real Prometheus: packages/kafka/test/lag-metrics.test.ts.)

const batch = channel(KAFKA_CHANNELS.batch);
const produced = channel(KAFKA_CHANNELS.produced);
const assignment = channel(KAFKA_CHANNELS.assignment);
const request = channel(KAFKA_CHANNELS.request);

let lookout: Lookout;

beforeEach(() => {
  lookout = enableLookout({
    tracer: false,
    port: false,
    appName: 'shop',
    runtimeMetrics: false,
    logger: { warn() {} },
  });
});

afterEach(() => lookout.close());

async function text(): Promise<string> {
  return (await lookout.metrics()).body;
}

function sendSpan(topic: string, resultCode = '00', durationMs = 4) {
  return makeSpan({
    kind: 'producer',
    logType: 'kafkamq-send',
    operationName: 'mq-kafka-send',
    resultCode,
    durationMs,
    tags: { 'kafka.topic': topic, 'kafka.partition': 0 },
  });
}

function consumeSpan(topic: string, group: string, lagMs: number, resultCode = '00') {
  const start = 1_700_000_000_000;
  return makeSpan({
    kind: 'consumer',
    logType: 'kafkamq-consume',
    operationName: 'mq-kafka-consume',
    startTime: start,
    resultCode,
    durationMs: 20,
    tags: {
      'kafka.topic': topic,
      'kafka.partition': 1,
      'kafka.offset': 7,
      'kafka.group': group,
      'kafka.timestamp': start - lagMs,
    },
  });
}

describe('Kafka metrics from spans', () => {
  it('produce rate, errors and duration per topic', async () => {
    const k = lookout.kafkaMetrics!;
    k.onSpanReport(sendSpan('orders'));
    k.onSpanReport(sendSpan('orders', '99'));
    k.onSpanReport(sendSpan('audit', '03'));
    k.onSpanReport(makeSpan()); // an HTTP span: not Kafka's business
    const t = await text();
    expect(valueOf(t, 'kafka_producer_messages_total', { topic: 'orders', app: 'shop' })).toBe(2);
    expect(valueOf(t, 'kafka_producer_errors_total', { topic: 'orders' })).toBe(1);
    expect(valueOf(t, 'kafka_producer_errors_total', { topic: 'audit' })).toBe(1);
    expect(valueOf(t, 'kafka_producer_duration_seconds_count', { topic: 'orders' })).toBe(2);
    expect(valueOf(t, 'kafka_producer_duration_seconds_sum', { topic: 'orders' })).toBeCloseTo(0.008);
    expect(samplesOf(t, 'kafka_consumer_messages_total')).toEqual([]);
  });

  it('consume rate, errors, process duration and produce→consume latency per group and topic', async () => {
    const k = lookout.kafkaMetrics!;
    k.onSpanReport(consumeSpan('orders', 'billing', 1500));
    k.onSpanReport(consumeSpan('orders', 'billing', 30, '99'));
    k.onSpanReport(consumeSpan('orders', 'billing', -50)); // clock skew: counted as 0
    const t = await text();
    const labels = { consumergroup: 'billing', topic: 'orders' };
    expect(valueOf(t, 'kafka_consumer_messages_total', labels)).toBe(3);
    expect(valueOf(t, 'kafka_consumer_errors_total', labels)).toBe(1);
    expect(valueOf(t, 'kafka_consumer_process_duration_seconds_count', labels)).toBe(3);
    expect(valueOf(t, 'kafka_consumer_latency_seconds_count', labels)).toBe(3);
    expect(valueOf(t, 'kafka_consumer_latency_seconds_sum', labels)).toBeCloseTo(1.53);
    expect(valueOf(t, 'kafka_consumer_latency_seconds_bucket', { ...labels, le: '0.005' })).toBe(1);
    expect(valueOf(t, 'kafka_consumer_latency_seconds_bucket', { ...labels, le: '2.5' })).toBe(3);
  });

  it('caps topic label values (hostile topic names cannot explode the series count)', async () => {
    await lookout.close();
    lookout = enableLookout({
      tracer: false,
      port: false,
      runtimeMetrics: false,
      kafkaMetrics: { maxLabelValues: 2 },
    });
    for (const topic of ['a', 'b', 'c', 'd']) lookout.kafkaMetrics!.onSpanReport(sendSpan(topic));
    const t = await text();
    expect(
      samplesOf(t, 'kafka_producer_messages_total')
        .map((s) => s.labels.topic)
        .sort(),
    ).toEqual(['OTHER', 'a', 'b']);
    expect(valueOf(t, 'kafka_producer_messages_total', { topic: 'OTHER' })).toBe(2);
  });

  it('an invalid kafkaMetrics option fails at start-up naming it', () => {
    expect(() => enableLookout({ tracer: false, port: false, kafkaMetrics: 'yes' as never })).toThrow(
      /option kafkaMetrics must be a boolean or an options object/,
    );
    expect(() => enableLookout({ tracer: false, port: false, kafkaMetrics: { maxLabelValues: 0 } })).toThrow(
      /kafkaMetrics.maxLabelValues must be an integer in \[1, 1000000\]/,
    );
  });

  it('kafkaMetrics: false turns them off (and the env switch too)', async () => {
    await lookout.close();
    lookout = enableLookout({ tracer: false, port: false, kafkaMetrics: false });
    expect(lookout.kafkaMetrics).toBeUndefined();
    await lookout.close();
    process.env.SOFA_LOOKOUT_KAFKA_METRICS = 'off';
    try {
      lookout = enableLookout({ tracer: false, port: false });
      expect(lookout.kafkaMetrics).toBeUndefined();
    } finally {
      delete process.env.SOFA_LOOKOUT_KAFKA_METRICS;
    }
  });
});

describe('broker requests from the channel', () => {
  it('duration by client and Kafka API; timeouts counted apart', async () => {
    request.publish({ client: 'producer', api: 'Produce', durationMs: 12, timedOut: false });
    request.publish({ client: 'producer', api: 'Produce', durationMs: 30, timedOut: false });
    request.publish({ client: 'consumer', api: 'Fetch', durationMs: 0, timedOut: true });
    request.publish({ client: 'consumer', api: 5 }); // malformed: ignored
    const t = await text();
    expect(
      valueOf(t, 'kafka_client_request_duration_seconds_count', { client: 'producer', api: 'Produce' }),
    ).toBe(2);
    expect(
      valueOf(t, 'kafka_client_request_duration_seconds_sum', { client: 'producer', api: 'Produce' }),
    ).toBeCloseTo(0.042);
    expect(valueOf(t, 'kafka_client_request_timeouts_total', { client: 'consumer', api: 'Fetch' })).toBe(1);
    expect(samplesOf(t, 'kafka_client_request_timeouts_total', { api: 'Produce' })).toEqual([]);
  });
});

describe('consumer-group lag from the channels', () => {
  it('lag = end offset − group position, per partition and summed per topic (kafka_exporter names)', async () => {
    batch.publish({ groupId: 'billing', topic: 'orders', partition: 0, highWatermark: 10, position: 10 });
    batch.publish({ groupId: 'billing', topic: 'orders', partition: 1, highWatermark: 5, position: 3 });
    let t = await text();
    const p = (partition: string) => ({ consumergroup: 'billing', topic: 'orders', partition });
    expect(valueOf(t, 'kafka_consumergroup_lag', p('0'))).toBe(0);
    expect(valueOf(t, 'kafka_consumergroup_lag', p('1'))).toBe(2);
    expect(valueOf(t, 'kafka_consumergroup_lag_sum', { consumergroup: 'billing', topic: 'orders' })).toBe(2);
    expect(valueOf(t, 'kafka_consumergroup_current_offset', p('1'))).toBe(3);
    expect(valueOf(t, 'kafka_topic_partition_current_offset', { topic: 'orders', partition: '1' })).toBe(5);

    // a producer in this process stores 7 more records on partition 0: the lag rises without any fetch
    produced.publish({ topic: 'orders', partition: 0, nextOffset: 17 });
    t = await text();
    expect(valueOf(t, 'kafka_consumergroup_lag', p('0'))).toBe(7);
    expect(valueOf(t, 'kafka_consumergroup_lag_sum', { consumergroup: 'billing', topic: 'orders' })).toBe(9);

    // the consumer catches up
    batch.publish({ groupId: 'billing', topic: 'orders', partition: 0, highWatermark: 17, position: 17 });
    t = await text();
    expect(valueOf(t, 'kafka_consumergroup_lag', p('0'))).toBe(0);
    // an older high watermark from a late batch never lowers the known end offset
    batch.publish({ groupId: 'billing', topic: 'orders', partition: 1, highWatermark: 4, position: 4 });
    expect(lookout.kafkaMetrics!.lag.lag('billing', 'orders', 1)).toBe(1);
  });

  it('a rebalance drops the partitions the member lost; a disconnect drops the group', async () => {
    batch.publish({ groupId: 'g', topic: 't', partition: 0, highWatermark: 3, position: 1 });
    batch.publish({ groupId: 'g', topic: 't', partition: 1, highWatermark: 3, position: 1 });
    assignment.publish({ groupId: 'g', assignment: { t: [1] } });
    let t = await text();
    expect(
      samplesOf(t, 'kafka_consumergroup_lag', { consumergroup: 'g' }).map((s) => s.labels.partition),
    ).toEqual(['1']);
    assignment.publish({ groupId: 'g', assignment: null });
    t = await text();
    expect(samplesOf(t, 'kafka_consumergroup_lag', { consumergroup: 'g' })).toEqual([]);
    expect(samplesOf(t, 'kafka_consumergroup_lag_sum', { consumergroup: 'g' })).toEqual([]);
  });

  it('malformed channel messages are ignored; after close() the channels are no longer read', async () => {
    batch.publish(null);
    batch.publish({ groupId: 'x', topic: 'y', partition: 0, highWatermark: 'NaN', position: -1 });
    produced.publish({ topic: 5 });
    await lookout.close();
    batch.publish({ groupId: 'late', topic: 'y', partition: 0, highWatermark: 5, position: 1 });
    const t = await text();
    expect(samplesOf(t, 'kafka_consumergroup_lag')).toEqual([]);
  });
});
