// Transactions, uninstall and options. The mock broker cannot run transactions (it reports
// controller id 0, so kafkajs' initProducerId fails): the transaction's send functions are
// exercised through a stand-in transaction that forwards to a real kafkajs producer on the mock
// broker — the wrapping is real, the transactional protocol is not.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import * as kafkajs from 'kafkajs';
import { ConfigError } from '@sofa-tracer/core';
import {
  instrumentKafka,
  isKafkaInstrumented,
  KAFKA_CHANNELS,
  type ProducerRecord,
  type Sender,
} from '@sofa-tracer/kafka';
import { makeTracer, type TestTracer } from '../../../test/support/plugin-fixtures';
import { startMockBroker, type MockBroker } from './helpers/broker';
import { fakeKafkajs, type FakeModule } from './helpers/fake-kafkajs';
import { consumerConfig, eventually, joined, kafkaClient, uniqueName } from './helpers/kafka';

jest.setTimeout(60_000);

let broker: MockBroker;
let t: TestTracer;
let raw: kafkajs.Producer;
let fake: FakeModule;
let uninstall: (() => void) | undefined;
const topic = uniqueName('tx');
const originalProducer = kafkajs.Kafka.prototype.producer;
const originalConsumer = kafkajs.Kafka.prototype.consumer;

beforeAll(async () => {
  broker = await startMockBroker();
  await broker.createTopic(topic, 2);
  t = makeTracer('ledger');
  raw = kafkaClient(broker.bootstrap).producer(); // created before any install: never traced
  await raw.connect();
  fake = fakeKafkajs(raw as unknown as Sender);
});

afterEach(() => {
  uninstall?.();
  uninstall = undefined;
  t.spans.length = 0;
  fake.sent.length = 0;
});

afterAll(async () => {
  await raw?.disconnect();
  await t?.close();
  await broker?.stop();
});

function sentHeaders(i: number): Record<string, unknown> {
  return ((fake.sent[i] as ProducerRecord).messages[0].headers ?? {}) as Record<string, unknown>;
}

describe('transactions', () => {
  it("a transaction's send and sendBatch: one span per message, headers injected, acked by the real broker", async () => {
    uninstall = instrumentKafka({ tracer: t.tracer, kafkajs: [kafkajs, fake] });
    const txn = await new fake.Kafka().producer().transaction();
    const root = t.tracer.startSpan('transfer', { childOf: null });
    const md = await t.tracer.withSpan(root, async () => {
      const a = await txn.send({ topic, messages: [{ key: 'a', value: '1' }] });
      const b = await txn.sendBatch({ topicMessages: [{ topic, messages: [{ key: 'b', value: '2' }] }] });
      await txn.commit();
      return [...a, ...b];
    });
    root.finish();
    expect(md.every((m) => m.errorCode === 0)).toBe(true);
    const sends = t.spans.filter((s) => s.logType === 'kafkamq-send');
    expect(sends.map((s) => [s.context().spanId, s.resultCode, s.kind])).toEqual([
      ['0.1', '00', 'producer'],
      ['0.2', '00', 'producer'],
    ]);
    expect(sentHeaders(0)).toMatchObject({ 'X-B3-TraceId': root.context().traceId, 'X-B3-SpanId': '0.1' });
    const batch = fake.sent[1] as { topicMessages: ProducerRecord[] };
    expect(batch.topicMessages[0].messages[0].headers).toMatchObject({ 'X-B3-SpanId': '0.2' });
  });
});

describe('install / uninstall', () => {
  it('uninstall() restores the Kafka prototype and turns existing wrappers into pass-throughs', async () => {
    uninstall = instrumentKafka({ tracer: t.tracer, kafkajs: [kafkajs, fake] });
    expect(isKafkaInstrumented()).toBe(true);
    expect(kafkajs.Kafka.prototype.producer).not.toBe(originalProducer);
    expect(instrumentKafka({ tracer: t.tracer })).toBe(uninstall); // a second call changes nothing
    const p = new fake.Kafka().producer();
    uninstall();
    uninstall = undefined;
    expect(isKafkaInstrumented()).toBe(false);
    expect(kafkajs.Kafka.prototype.producer).toBe(originalProducer);
    expect(kafkajs.Kafka.prototype.consumer).toBe(originalConsumer);
    const record = { topic, messages: [{ value: 'after' }] };
    await p.send(record);
    expect(fake.sent[0]).toBe(record); // untouched, not even cloned
    expect(t.spans).toEqual([]);
  });

  it("uninstall(): a running consumer's eachMessage passes through untraced; its event listeners are removed", async () => {
    // count the instrumentation-event listeners added to real kafkajs consumers, and their removal
    const live = new Map<string, number>();
    const proto = kafkajs.Kafka.prototype;
    const plain = proto.consumer;
    proto.consumer = function countingConsumer(this: kafkajs.Kafka, config: kafkajs.ConsumerConfig) {
      const c = plain.call(this, config);
      const on = c.on.bind(c) as (name: string, fn: (e: unknown) => void) => () => void;
      (c as { on: unknown }).on = (name: string, fn: (e: unknown) => void) => {
        const remove = on(name, fn);
        live.set(name, (live.get(name) ?? 0) + 1);
        return () => {
          live.set(name, live.get(name)! - 1);
          remove();
        };
      };
      return c;
    } as typeof plain;
    const batches: unknown[] = [];
    const onBatch = (m: unknown): void => void batches.push(m);
    subscribe(KAFKA_CHANNELS.batch, onBatch);
    const consumed = uniqueName('consumed');
    await broker.createTopic(consumed, 1);
    let consumer: kafkajs.Consumer | undefined;
    try {
      uninstall = instrumentKafka({ tracer: t.tracer });
      consumer = kafkaClient(broker.bootstrap).consumer(consumerConfig());
      const ev = consumer.events;
      for (const name of [ev.START_BATCH_PROCESS, ev.END_BATCH_PROCESS, ev.GROUP_JOIN, ev.REQUEST])
        expect(live.get(name)).toBe(1);
      const inHandler: (string | undefined)[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: consumed, fromBeginning: true });
      const join = joined(consumer);
      await consumer.run({
        eachMessage: async () => void inHandler.push(t.tracer.activeSpan()?.context().spanId),
      });
      await join;
      // records with a trace's headers (a Java service's): traced while installed...
      const headers = { 'X-B3-TraceId': '0a0fe9271567477985327100211176', 'X-B3-SpanId': '0.1' };
      await raw.send({ topic: consumed, messages: [{ value: 'before', headers }] });
      await eventually(() => inHandler.length === 1, 'the first record');
      expect(inHandler[0]).toBe('0.1.1');
      await eventually(() => batches.length > 0, 'a batch fact');

      uninstall();
      uninstall = undefined;
      expect([...live.values()].every((n) => n === 0)).toBe(true);
      expect(live.size).toBeGreaterThanOrEqual(6);
      const spansBefore = t.spans.length;
      const batchesBefore = batches.length;
      // the test's own listener (added after the check above): kafkajs calls an event's listeners
      // synchronously, so once it has seen the next batch end, a listener left behind would have
      // published that batch's START and END facts already
      const ended: unknown[] = [];
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => void ended.push(e));
      // ...untraced after: no span current in the handler, none reported, no lag facts
      await raw.send({ topic: consumed, messages: [{ value: 'after', headers }] });
      await eventually(() => inHandler.length === 2, 'the record after uninstall');
      expect(inHandler[1]).toBeUndefined();
      await eventually(() => ended.length > 0, 'END_BATCH_PROCESS of the batch after uninstall');
      expect(t.spans.length).toBe(spansBefore);
      expect(batches.length).toBe(batchesBefore);
    } finally {
      proto.consumer = plain;
      unsubscribe(KAFKA_CHANNELS.batch, onBatch);
      await consumer?.disconnect();
    }
  });

  it('requireParent: no root producer spans; the record goes out as given', async () => {
    uninstall = instrumentKafka({ tracer: t.tracer, kafkajs: fake, requireParent: true });
    const p = new fake.Kafka().producer();
    await p.send({ topic, messages: [{ value: 'orphan' }] });
    expect(sentHeaders(0)).toEqual({});
    expect(t.spans).toEqual([]);
    const root = t.tracer.startSpan('job', { childOf: null });
    await t.tracer.withSpan(root, () => p.send({ topic, messages: [{ value: 'child' }] }));
    expect(sentHeaders(1)['X-B3-SpanId']).toBe('0.1');
  });

  it('injectFormats: only the formats asked for go on the record', async () => {
    uninstall = instrumentKafka({ tracer: t.tracer, kafkajs: fake, injectFormats: ['w3c'] });
    const root = t.tracer.startSpan('job', { childOf: null });
    root.setBaggageItem('k', 'v');
    await t.tracer.withSpan(root, () =>
      new fake.Kafka().producer().send({ topic, messages: [{ value: 'x' }] }),
    );
    expect(Object.keys(sentHeaders(0)).sort()).toEqual(['baggage', 'traceparent', 'tracestate']);
  });

  it('no tracer running: nothing is traced and nothing breaks', async () => {
    uninstall = instrumentKafka({ kafkajs: fake }); // no global tracer in this test file
    const record = { topic, messages: [{ value: 'x' }] };
    await new fake.Kafka().producer().send(record);
    expect(fake.sent[0]).toBe(record);
  });

  it('invalid options fail at start-up naming the option and the accepted values', () => {
    expect(() => instrumentKafka({ injectFormats: ['sofa-b3', 'zipkin' as never] })).toThrow(ConfigError);
    expect(() => instrumentKafka({ injectFormats: ['zipkin' as never] })).toThrow(
      /injectFormats.*accepted: an array of sofa-b3, sftc, w3c, b3/,
    );
    expect(() => instrumentKafka({ requireParent: 'yes' as never })).toThrow(/requireParent/);
    expect(() => instrumentKafka({ kafkajs: {} as never })).toThrow(/kafkajs.*Kafka class/);
    expect(isKafkaInstrumented()).toBe(false);
  });
});
