// The operator's view, end to end: kafkajs traced by @sofa-tracer/kafka against the mock broker,
// @sofa-tracer/lookout's /metrics scraped by a real Prometheus. The lag series rises while the
// consumer is paused and falls after it resumes; rates and latency arrive too.
import type { Consumer, Producer } from 'kafkajs';
import { instrumentKafka } from '@sofa-tracer/kafka';
import { enableLookout, type Lookout } from '@sofa-tracer/lookout';
import { makeTracer, type TestTracer } from '../../../test/support/plugin-fixtures';
import { startMockBroker, type MockBroker } from './helpers/broker';
import { consumerConfig, eventually, joined, kafkaClient, uniqueName } from './helpers/kafka';
import { startPrometheus, type Prometheus } from './helpers/prometheus';

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

beforeAll(async () => {
  broker = await startMockBroker();
  await broker.createTopic(topic, 1);
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
  prom = await startPrometheus(`127.0.0.1:${address!.port}`);
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
  await join;
});

afterAll(async () => {
  await Promise.allSettled([consumer?.disconnect(), producer?.disconnect()]);
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
  await producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ value: 'p' + i })) });
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

  consumer.resume([{ topic }]);
  await eventually(() => consumedCount === 13, 'the backlog');
  await eventually(async () => (await promValue(lag)) === 0, 'lag back to 0', 30_000);
  expect(await promValue(`max_over_time(${lag}[2m])`)).toBe(10);

  // rates and latency of the same messages, from the spans
  expect(await promValue(`kafka_producer_messages_total{topic="${topic}"}`)).toBe(13);
  await eventually(
    async () =>
      (await promValue(`kafka_consumer_latency_seconds_count{consumergroup="${group}",topic="${topic}"}`)) ===
      13,
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
  // the 10 messages waited while the consumer was paused: their latency is at least the pause
  expect(
    await promValue(
      `kafka_consumer_latency_seconds_bucket{consumergroup="${group}",topic="${topic}",le="0.1"}`,
    ),
  ).toBeLessThanOrEqual(3);
});
