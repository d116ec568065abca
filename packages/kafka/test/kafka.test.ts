// End to end over real sockets against librdkafka's mock cluster: kafkajs producers and consumers
// traced by @sofa-tracer/kafka, digest lines on both sides, headers as they travel on the wire.
import type { Consumer, EachMessagePayload, IHeaders, Producer } from 'kafkajs';
import * as kafkajs from 'kafkajs';
import { instrumentKafka, kafkaMessageSpan } from '@sofa-tracer/kafka';
import type { ReadableSpan } from '@sofa-tracer/core';
import { makeTracer, type TestTracer } from '../../../test/support/plugin-fixtures';
import { startMockBroker, type MockBroker } from './helpers/broker';
import { consumerConfig, eventually, joined, kafkaClient, uniqueName } from './helpers/kafka';

jest.setTimeout(60_000);

const SEND = 'kafkamq-send-digest.log';
const CONSUME = 'kafkamq-consume-digest.log';
/** The digest fields every Java SOFATracer line starts with, in order. */
const COMMON_FIELDS = [
  'time',
  'local.app',
  'traceId',
  'spanId',
  'span.kind',
  'result.code',
  'current.thread.name',
  'time.cost.milliseconds',
];

let broker: MockBroker;
let t: TestTracer;
let uninstall: () => void;
let javaProducer: Producer; // created before instrumentKafka(): plays a Java service writing records by hand
let producer: Producer;
let consumer: Consumer;
const topic = uniqueName('orders');
const seen: EachMessagePayload[] = [];
const inHandler: (ReadableSpan | undefined)[] = [];
let failOnce = new Set<string>();

function strHeaders(h: IHeaders | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k] = Array.isArray(v) ? v.map(String) : String(v);
  return out;
}

function consumed(key: string): EachMessagePayload[] {
  return seen.filter((p) => p.message.key?.toString() === key);
}

function spansOf(logType: string, key?: string): ReadableSpan[] {
  return t.spans.filter((s) => s.logType === logType && (key === undefined || s.tags['test.key'] === key));
}

beforeAll(async () => {
  broker = await startMockBroker();
  await broker.createTopic(topic, 3);
  t = makeTracer('order-service');
  const kafka = kafkaClient(broker.bootstrap);
  javaProducer = kafka.producer();
  uninstall = instrumentKafka({ tracer: t.tracer });
  producer = kafka.producer(); // instance created before the call, producer after: traced
  consumer = kafka.consumer(consumerConfig());
  await Promise.all([producer.connect(), javaProducer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  const join = joined(consumer);
  await consumer.run({
    eachMessage: async (payload) => {
      const key = payload.message.key?.toString() ?? '';
      const active = t.tracer.activeSpan();
      active?.setTag('test.key', key);
      seen.push(payload);
      inHandler.push(active);
      // a call the handler makes: must be a child of the consume span
      t.tracer.startSpan('handler-call', { kind: 'client' }).finish();
      if (failOnce.delete(key)) throw new Error('boom ' + key);
    },
  });
  await join;
});

afterAll(async () => {
  await Promise.allSettled([consumer?.disconnect(), producer?.disconnect(), javaProducer?.disconnect()]);
  uninstall?.();
  await t?.close();
  await broker?.stop();
});

describe('produce → consume in one trace', () => {
  it('continues the trace: Java text-map headers + W3C on the wire, 0 → 0.1 → 0.1.1, digest on both sides', async () => {
    const key = uniqueName('k');
    const message = { key, value: 'v1', headers: { 'x-app': 'shop' } };
    const root = t.tracer.startSpan('checkout', { kind: 'server', childOf: null });
    root.setBaggageItem('user', 'a&b=c%');
    await t.tracer.withSpan(root, () => producer.send({ topic, messages: [message] }));
    root.finish();
    // the caller's object is untouched
    expect(message).toEqual({ key, value: 'v1', headers: { 'x-app': 'shop' } });

    await eventually(() => consumed(key).length === 1, 'the message');
    const traceId = root.context().traceId;
    const headers = strHeaders(consumed(key)[0].message.headers);
    expect(headers).toMatchObject({
      'x-app': 'shop',
      'X-B3-TraceId': traceId,
      'X-B3-SpanId': '0.1',
      'X-B3-ParentSpanId': '0',
      'X-B3-Sampled': 'true',
      'baggage-user': 'a%26b%3Dc%25', // Java's text map: escaped, not URL-encoded
    });
    expect(headers.traceparent).toMatch(new RegExp(`^00-0*${traceId}-[0-9a-f]{16}-01$`));
    expect(headers.baggage).toBe('user=a&b=c%25'); // W3C Baggage
    expect(headers.tracestate).toBe('sofa=0.1');

    const [send] = (await t.digest(SEND)).filter((l) => l.traceId === traceId);
    expect(Object.keys(send)).toEqual([
      ...COMMON_FIELDS,
      'kafka.topic',
      'kafka.partition',
      'error',
      'sys.baggage',
      'biz.baggage',
    ]);
    expect(send).toMatchObject({
      'local.app': 'order-service',
      spanId: '0.1',
      'span.kind': 'producer',
      'result.code': '00',
      'kafka.topic': topic,
      error: '',
      'biz.baggage': 'user=a%26b%3Dc%25&',
    });
    await eventually(
      async () => (await t.digest(CONSUME)).some((l) => l.traceId === traceId),
      'consume digest',
    );
    const [recv] = (await t.digest(CONSUME)).filter((l) => l.traceId === traceId);
    const partition = consumed(key)[0].partition;
    // the partition the broker really used (Java writes -1)
    expect(send['kafka.partition']).toBe(partition);
    expect(Object.keys(recv)).toEqual([
      ...COMMON_FIELDS,
      'kafka.topic',
      'kafka.partition',
      'kafka.offset',
      'error',
      'sys.baggage',
      'biz.baggage',
    ]);
    expect(recv).toMatchObject({
      spanId: '0.1.1',
      'span.kind': 'consumer',
      'result.code': '00',
      'kafka.topic': topic,
      'kafka.partition': partition,
      'kafka.offset': Number(consumed(key)[0].message.offset),
      'biz.baggage': 'user=a%26b%3Dc%25&',
    });
    // the consume span is current in the handler; calls it makes are its children
    const consumeSpan = spansOf('kafkamq-consume', key)[0];
    expect(inHandler[seen.indexOf(consumed(key)[0])]).toBe(consumeSpan);
    const call = t.spans.find((s) => s.operationName === 'handler-call' && s.context().traceId === traceId);
    expect(call?.context().spanId).toBe('0.1.1.1');
    expect(consumeSpan.tags['kafka.timestamp']).toBe(Number(consumed(key)[0].message.timestamp));
  });

  it('continues a record a Java service wrote by hand (repeated keys: the last wins; names in any case)', async () => {
    const key = uniqueName('java');
    const javaTrace = '0a0fe9271567477985327100211176';
    await javaProducer.send({
      topic,
      messages: [
        {
          key,
          value: 'from java',
          headers: {
            'X-B3-TraceId': ['0a0fe9271567477985327100299999', javaTrace], // Java appended twice: last wins
            'x-b3-spanid': Buffer.from('0.2'),
            'X-B3-ParentSpanId': '0',
            'X-B3-Sampled': 'true',
            'baggage-sys-zone': 'gz%26sh',
            'baggage-order': 'o=1',
          },
        },
      ],
    });
    await eventually(
      async () => (await t.digest(CONSUME)).some((l) => l.traceId === javaTrace),
      'consume line',
    );
    const [line] = (await t.digest(CONSUME)).filter((l) => l.traceId === javaTrace);
    expect(line).toMatchObject({ spanId: '0.2.1', 'result.code': '00', 'sys.baggage': 'zone=gz%26sh&' });
    expect(line['biz.baggage']).toBe('order=o%3D1&');
  });

  it('continues a W3C-only record (an OpenTelemetry producer): same trace id, the parent span id kept', async () => {
    const key = uniqueName('otel');
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await javaProducer.send({
      topic,
      messages: [
        {
          key,
          value: 'from otel',
          headers: { traceparent: Buffer.from(`00-${traceId}-00f067aa0ba902b7-01`), baggage: 'tenant=acme' },
        },
      ],
    });
    await eventually(() => spansOf('kafkamq-consume', key).length === 1, 'consume span');
    const ctx = spansOf('kafkamq-consume', key)[0].context();
    expect(ctx.traceId).toBe(traceId);
    expect(ctx.spanId).toBe('00f067aa0ba902b7.1'); // the foreign 16-hex parent as root segment
    expect(ctx.bizBaggage.get('tenant')).toBe('acme');
  });

  it('hostile or binary trace headers start a new trace and never reach the handler as an error', async () => {
    const key = uniqueName('hostile');
    await javaProducer.send({
      topic,
      messages: [
        {
          key,
          value: 'x',
          headers: {
            'X-B3-TraceId': Buffer.from([0xff, 0x00, 0x0a, 0x41]),
            'X-B3-SpanId': '0.1\r\nX-Evil: 1',
            traceparent: '00-zz-zz-zz',
            'baggage-a': Buffer.alloc(40_000, 0x61),
            sftc_head: '\u0000tcid=&&&',
          },
        },
      ],
    });
    await eventually(() => spansOf('kafkamq-consume', key).length === 1, 'consume span');
    const span = spansOf('kafkamq-consume', key)[0];
    expect(span.context().spanId).toBe('0');
    expect(span.context().parentId).toBe('');
    expect(span.resultCode).toBe('00');
    expect(span.context().bizBaggage.size).toBe(0);
  });

  it('a handler that throws: 99 with the error, kafkajs retries the message, the retry is 00', async () => {
    const key = uniqueName('boom');
    failOnce = new Set([key]);
    await t.tracer.withSpan(t.tracer.startSpan('root', { childOf: null }), () =>
      producer.send({ topic, messages: [{ key, value: 'x' }] }),
    );
    await eventually(() => spansOf('kafkamq-consume', key).length >= 2, 'redelivery', 30_000);
    const [first, second] = spansOf('kafkamq-consume', key);
    expect(first.resultCode).toBe('99');
    expect((first.error as Error).message).toBe('boom ' + key);
    expect(first.tags.error).toBe('boom ' + key);
    expect(second.resultCode).toBe('00');
    expect(second.tags['kafka.offset']).toBe(first.tags['kafka.offset']);
  });
});

describe('producer', () => {
  it('sendBatch: one span per message, each with the partition the broker used', async () => {
    const other = uniqueName('audit');
    await broker.createTopic(other, 2);
    const before = spansOf('kafkamq-send').length;
    const md = await producer.sendBatch({
      topicMessages: [
        {
          topic,
          messages: [
            { key: 'a', value: '1' },
            { key: 'b', value: '2', partition: 2 },
          ],
        },
        { topic: other, messages: [{ key: 'c', value: '3', partition: 1 }] },
      ],
    });
    const spans = spansOf('kafkamq-send').slice(before);
    expect(spans.map((s) => s.tags['kafka.topic'])).toEqual([topic, topic, other]);
    expect(spans[1].tags['kafka.partition']).toBe(2);
    expect(spans[2].tags['kafka.partition']).toBe(1);
    const partitions = new Set(md.filter((m) => m.topicName === topic).map((m) => m.partition));
    expect(partitions.has(spans[0].tags['kafka.partition'] as number)).toBe(true);
    expect(new Set(spans.map((s) => s.context().traceId)).size).toBe(3); // no active span: 3 roots
  });

  it('a re-sent or forwarded message carries one set of trace headers, of the new trace', async () => {
    const key = uniqueName('resend');
    const message = { key, value: 'x', headers: { 'X-B3-TraceId': 'stale', 'baggage-old': 'y', keep: 'me' } };
    await producer.send({ topic, messages: [message] });
    await producer.send({ topic, messages: [message] });
    await eventually(() => consumed(key).length === 2, 'both copies');
    const sends = spansOf('kafkamq-send')
      .filter((s) => s.tags['kafka.topic'] === topic)
      .slice(-2);
    for (const [i, p] of consumed(key).entries()) {
      const h = strHeaders(p.message.headers);
      expect(h['X-B3-TraceId']).toBe(sends[i].context().traceId);
      expect(h.keep).toBe('me');
      expect(h['baggage-old']).toBeUndefined();
    }
    expect(message.headers).toEqual({ 'X-B3-TraceId': 'stale', 'baggage-old': 'y', keep: 'me' });
  });

  it('a failed send: 99 with the error, and the caller gets the very same error', async () => {
    const before = spansOf('kafkamq-send').length;
    let caught: unknown;
    try {
      await producer.send({ topic, messages: [{ key: 'x' } as never] }); // no value: kafkajs rejects
    } catch (e) {
      caught = e;
    }
    const [span] = spansOf('kafkamq-send').slice(before);
    expect(caught).toBeInstanceOf(kafkajs.KafkaJSNonRetriableError);
    expect(span.error).toBe(caught);
    expect(span.resultCode).toBe('99');
    expect(span.tags['kafka.partition']).toBe(-1);
    const line = (await t.digest(SEND)).find(
      (l) => l.spanId === span.context().spanId && l.traceId === span.context().traceId,
    );
    expect(line).toMatchObject({
      'result.code': '99',
      error: (caught as Error).message,
      'kafka.partition': -1,
    });
  });
});

describe('eachBatch', () => {
  it('one span per message, child of its own producer span, ended when its offset is resolved', async () => {
    const batchTopic = uniqueName('batch');
    await broker.createTopic(batchTopic, 1);
    const traces: string[] = [];
    for (let i = 0; i < 3; i++) {
      const root = t.tracer.startSpan('job' + i, { childOf: null });
      traces.push(root.context().traceId);
      await t.tracer.withSpan(root, () =>
        producer.send({ topic: batchTopic, messages: [{ key: 'm' + i, value: String(i) }] }),
      );
      root.finish();
    }
    const c = kafkaClient(broker.bootstrap).consumer(consumerConfig());
    const seenSpans: (ReadableSpan | undefined)[] = [];
    const activeInBatch: (ReadableSpan | undefined)[] = [];
    let resolvedAll = false;
    try {
      await c.connect();
      await c.subscribe({ topic: batchTopic, fromBeginning: true });
      await c.run({
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset }) => {
          activeInBatch.push(t.tracer.activeSpan());
          for (const m of batch.messages) {
            seenSpans.push(kafkaMessageSpan(m));
            await new Promise((r) => setTimeout(r, 40));
            resolveOffset(m.offset);
          }
          resolvedAll = batch.messages.length > 0;
        },
      });
      await eventually(
        () =>
          resolvedAll &&
          t.spans.filter((s) => s.logType === 'kafkamq-consume' && s.tags['kafka.topic'] === batchTopic)
            .length === 3,
        'batch spans',
      );
    } finally {
      await c.disconnect();
    }
    const spans = t.spans.filter(
      (s) => s.logType === 'kafkamq-consume' && s.tags['kafka.topic'] === batchTopic,
    );
    expect(spans.map((s) => s.context().traceId)).toEqual(traces);
    expect(spans.map((s) => s.context().spanId)).toEqual(['0.1.1', '0.1.1', '0.1.1']);
    for (const s of spans) {
      expect(s.resultCode).toBe('00');
      expect(s.durationMs).toBeGreaterThanOrEqual(30); // its own 40 ms, not the batch's
      expect(s.durationMs).toBeLessThan(2_000);
    }
    expect(seenSpans.slice(0, 3)).toEqual(spans);
    expect(activeInBatch[0]).toBeUndefined();
  });
});
