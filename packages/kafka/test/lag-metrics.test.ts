// The operator's view, end to end: kafkajs traced by @sofa-tracer/kafka against the mock broker,
// @sofa-tracer/lookout's /metrics scraped by a real Prometheus loading the shipped Kafka alert
// rules. The lag series rises while the consumer is paused and falls after it resumes (past
// 10000 records KafkaConsumerGroupLagHigh goes pending); rates and latency arrive too. A handler
// stuck on records produced by another process (no produce ack seen here, no END_BATCH_PROCESS)
// still shows them as lag.
import { join } from 'node:path';
import type { Consumer, Producer } from 'kafkajs';
import { instrumentKafka } from '@sofa-tracer/kafka';
import { enableLookout, type Lookout } from '@sofa-tracer/lookout';
import { makeTracer, type TestTracer } from '../../../test/support/plugin-fixtures';
import { startMockBroker, type MockBroker } from './helpers/broker';
import { consumerConfig, eventually, joined, kafkaClient, uniqueName } from './helpers/kafka';
import { startPrometheus, type Prometheus } from './helpers/prometheus';
import { startRemoteProducer, type RemoteProducer } from './helpers/remote-producer';

const RULES = join(__dirname, '..', '..', 'lookout', 'prometheus', 'kafka-alert-rules.yml');

jest.setTimeout(120_000);

let broker: MockBroker;
let t: TestTracer;
let lookout: Lookout;
let prom: Prometheus;
let uninstall: () => void;
let producer: Producer;
let consumer: Consumer;
const topic = uniqueName('payments');
const config = consumerConfig();
const group = config.groupId;
let consumedCount = 0;
// the consumer whose handler gets stuck, fed by a producer in another process
let remote: RemoteProducer;
let stuckConsumer: Consumer;
const stuckTopic = uniqueName('invoices');
const stuckConfig = consumerConfig();
let entered = 0;
let handled = 0;
let gate: Promise<void> | undefined;
let release: () => void = () => {};

beforeAll(async () => {
  broker = await startMockBroker();
  await broker.createTopic(topic, 1);
  await broker.createTopic(stuckTopic, 1);
  t = makeTracer('payment-service');
  uninstall = instrumentKafka({ tracer: t.tracer });
  lookout = enableLookout({
    tracer: t.tracer,
    port: 0,
    host: '127.0.0.1',
    runtimeMetrics: false,
    logger: { warn() {} },
  });
  const address = await lookout.address();
  prom = await startPrometheus(`127.0.0.1:${address!.port}`, [RULES]);
  const kafka = kafkaClient(broker.bootstrap);
  producer = kafka.producer();
  consumer = kafka.consumer(config);
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  const join = joined(consumer);
  await consumer.run({
    eachMessage: async () => {
      consumedCount++;
    },
  });
  stuckConsumer = kafka.consumer(stuckConfig);
  await stuckConsumer.connect();
  await stuckConsumer.subscribe({ topic: stuckTopic, fromBeginning: true });
  const stuckJoin = joined(stuckConsumer);
  await stuckConsumer.run({
    eachMessage: async () => {
      entered++;
      if (gate) await gate;
      handled++;
    },
  });
  remote = await startRemoteProducer(broker.bootstrap);
  await Promise.all([join, stuckJoin]);
});

afterAll(async () => {
  release();
  await Promise.allSettled([
    consumer?.disconnect(),
    stuckConsumer?.disconnect(),
    producer?.disconnect(),
    remote?.stop(),
  ]);
  uninstall?.();
  await prom?.stop();
  await lookout?.close();
  await t?.close();
  await broker?.stop();
});

async function promValue(promql: string): Promise<number | undefined> {
  const r = await prom.query(promql);
  return r.length === 1 ? r[0].value : undefined;
}

async function produce(n: number): Promise<void> {
  for (let done = 0; done < n; done += 2000) {
    const size = Math.min(2000, n - done);
    await producer.send({ topic, messages: Array.from({ length: size }, (_, i) => ({ value: 'p' + i })) });
  }
}

it('Prometheus sees kafka_consumergroup_lag rise while the consumer is paused and fall after', async () => {
  const lag = `kafka_consumergroup_lag{consumergroup="${group}",topic="${topic}",partition="0",app="payment-service"}`;
  await produce(3);
  await eventually(() => consumedCount === 3, 'the first 3 messages');
  await eventually(async () => (await promValue(lag)) === 0, 'lag 0 scraped', 30_000);

  consumer.pause([{ topic }]);
  await produce(10);
  await eventually(async () => (await promValue(lag)) === 10, 'lag 10 while paused', 30_000);
  expect(consumedCount).toBe(3);
  expect(await promValue(`kafka_consumergroup_lag_sum{consumergroup="${group}",topic="${topic}"}`)).toBe(10);

  // past the shipped KafkaConsumerGroupLagHigh threshold (> 10000): the real rule goes pending
  const alert = `ALERTS{alertname="KafkaConsumerGroupLagHigh",consumergroup="${group}",topic="${topic}"}`;
  expect(await promValue(alert)).toBeUndefined();
  await produce(9_991);
  await eventually(async () => (await promValue(lag)) === 10_001, 'lag 10001 while paused', 30_000);
  await eventually(
    async () => (await prom.query(`${alert} == 1`)).some((r) => r.metric.alertstate === 'pending'),
    'KafkaConsumerGroupLagHigh pending',
    20_000,
  );
  expect(consumedCount).toBe(3);

  consumer.resume([{ topic }]);
  await eventually(() => consumedCount === 10_004, 'the backlog', 60_000);
  await eventually(async () => (await promValue(lag)) === 0, 'lag back to 0', 30_000);
  expect(await promValue(`max_over_time(${lag}[2m])`)).toBe(10_001);
  await eventually(async () => (await promValue(alert)) === undefined, 'the alert resolved', 20_000);

  // rates and latency of the same messages, from the spans
  expect(await promValue(`kafka_producer_messages_total{topic="${topic}"}`)).toBe(10_004);
  await eventually(
    async () =>
      (await promValue(`kafka_consumer_latency_seconds_count{consumergroup="${group}",topic="${topic}"}`)) ===
      10_004,
    'latency histogram',
    30_000,
  );
  // broker requests, from kafkajs' own REQUEST events of both clients
  expect(
    await promValue(`kafka_client_request_duration_seconds_count{client="producer",api="Produce"}`),
  ).toBeGreaterThanOrEqual(2);
  expect(
    await promValue(`sum(kafka_client_request_duration_seconds_count{client="consumer",api="Fetch"})`),
  ).toBeGreaterThan(0);
  // the 10001 messages waited while the consumer was paused: their latency is at least the pause
  expect(
    await promValue(
      `kafka_consumer_latency_seconds_bucket{consumergroup="${group}",topic="${topic}",le="0.1"}`,
    ),
  ).toBeLessThanOrEqual(3);
});

it('a handler stuck on a record another process produced: lag > 0 while stuck, 0 after', async () => {
  const labels = `consumergroup="${stuckConfig.groupId}",topic="${stuckTopic}",partition="0"`;
  const lag = `kafka_consumergroup_lag{${labels}}`;
  const position = `kafka_consumergroup_current_offset{${labels}}`;
  await remote.produce(stuckTopic, 2);
  await eventually(() => handled === 2, 'the first 2 remote records');
  await eventually(async () => (await promValue(lag)) === 0, 'lag 0 scraped', 30_000);

  gate = new Promise((r) => (release = r));
  await remote.produce(stuckTopic, 1);
  await eventually(() => entered === 3, 'the handler stuck on the 3rd record');
  // kafkajs' START_BATCH_PROCESS brought the high watermark: no END_BATCH_PROCESS, no local ack needed
  expect(lookout.kafkaMetrics!.lag.lag(stuckConfig.groupId, stuckTopic, 0)).toBe(1);
  await eventually(async () => (await promValue(lag)) === 1, 'lag 1 while stuck', 30_000);
  await remote.produce(stuckTopic, 4); // more records while stuck: not fetched until the batch ends
  expect(await promValue(position)).toBe(2);
  expect(handled).toBe(2);

  release();
  await eventually(() => handled === 7, 'all 7 records after the handler came back');
  // one condition: a scrape between the batch [2] ending and the next fetch also shows lag 0
  await eventually(
    async () => (await promValue(position)) === 7 && (await promValue(lag)) === 0,
    'position 7, lag back to 0',
    30_000,
  );
  expect(await promValue(`max_over_time(${lag}[2m])`)).toBeGreaterThanOrEqual(1);
});
