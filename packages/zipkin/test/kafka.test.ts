// The real kafka plugin (kafkajs against librdkafka's mock cluster, the kafka package's own test
// broker) reporting to Zipkin: producer and consumer spans arrive as PRODUCER / CONSUMER, linked.
import type { Consumer, Producer } from 'kafkajs';
import { instrumentKafka } from '@sofa-tracer/kafka';
import { enableZipkin, type ZipkinReporter } from '@sofa-tracer/zipkin';
import { makeTracer, until, type TestTracer } from '../../../test/support/plugin-fixtures';
import { startMockBroker, type MockBroker } from '../../kafka/test/helpers/broker';
import { consumerConfig, joined, kafkaClient, uniqueName } from '../../kafka/test/helpers/kafka';
import { startZipkinReceiver, type ZipkinReceiver } from './support/zipkin-receiver';

jest.setTimeout(60_000);

type ZSpan = {
  traceId: string;
  id: string;
  parentId?: string;
  kind?: string;
  remoteEndpoint?: { serviceName?: string };
  tags: Record<string, string>;
};

let broker: MockBroker;
let receiver: ZipkinReceiver;
let t: TestTracer;
let zipkin: ZipkinReporter;
let uninstall: () => void;
let producer: Producer;
let consumer: Consumer;
const topic = uniqueName('zipkin-orders');

beforeAll(async () => {
  broker = await startMockBroker();
  await broker.createTopic(topic, 1);
  receiver = await startZipkinReceiver();
  t = makeTracer('order-service', {}, false);
  zipkin = enableZipkin({ tracer: t.tracer, baseUrl: receiver.baseUrl, flushIntervalMs: 20 });
  uninstall = instrumentKafka({ tracer: t.tracer });
  const kafka = kafkaClient(broker.bootstrap);
  producer = kafka.producer();
  consumer = kafka.consumer(consumerConfig());
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  const join = joined(consumer);
  await consumer.run({ eachMessage: async () => undefined });
  await join;
});

afterAll(async () => {
  await Promise.allSettled([consumer?.disconnect(), producer?.disconnect()]);
  uninstall?.();
  await zipkin?.close();
  await t?.close();
  await receiver?.close();
  await broker?.stop();
});

it('kafkajs send and consume become PRODUCER and CONSUMER spans of one Zipkin trace', async () => {
  const root = t.tracer.startSpan('checkout', { kind: 'server', childOf: null });
  await t.tracer.withSpan(root, () => producer.send({ topic, messages: [{ key: 'k1', value: 'v1' }] }));
  root.finish();
  const traceOf = () =>
    (receiver.spans as unknown as ZSpan[]).filter((s) => s.tags['origin.span.id'] !== undefined);
  await until(() => traceOf().some((s) => s.kind === 'CONSUMER'), 'the consumer span at the collector');
  const spans = traceOf();
  const server = spans.find((s) => s.kind === 'SERVER')!;
  const send = spans.find((s) => s.kind === 'PRODUCER')!;
  const consume = spans.find((s) => s.kind === 'CONSUMER')!;
  expect(send.traceId).toBe(server.traceId);
  expect(consume.traceId).toBe(server.traceId);
  expect(send.parentId).toBe(server.id);
  expect(consume.parentId).toBe(send.id);
  expect(send.remoteEndpoint).toMatchObject({ serviceName: 'kafka' });
  expect(consume.remoteEndpoint).toMatchObject({ serviceName: 'kafka' });
  expect(send.tags['kafka.topic']).toBe(topic);
  expect(typeof consume.tags['kafka.partition']).toBe('string');
  expect(receiver.errors).toEqual([]);
});
