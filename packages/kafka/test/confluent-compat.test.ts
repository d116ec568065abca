// @confluentinc/kafka-javascript's KafkaJS API, which cannot be installed on these machines (its
// install downloads a prebuilt binding from GitHub releases, else compiles it and librdkafka
// from source): a stand-in shaped after its lib/kafkajs sources — `Kafka` with
// prototype `producer`/`consumer`, consumers whose `on()` and `events` getter throw "not
// implemented", producers without `on`/`events`, `kafkaJS: { groupId }` config blocks, and
// top-level kafkajs keys (`createPartitioner`) rejected. Only the wrapping and the degrade path
// are tested here; nothing of librdkafka's behaviour is.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init } from '@sofa-tracer/core';
import type { EachMessagePayload } from '@sofa-tracer/kafka';
import { makeTracer, type TestTracer } from '../../../test/support/plugin-fixtures';

type Handler = (p: EachMessagePayload) => Promise<void>;

function notImplemented(): never {
  throw new Error('This method is not implemented.');
}

/** The stand-in module (`require('@confluentinc/kafka-javascript')`). */
function confluentLike() {
  const sent: unknown[] = [];
  class Producer {
    constructor(readonly config: Record<string, unknown> | undefined) {
      if (config && 'createPartitioner' in config)
        throw new Error('createPartitioner: put kafkaJS keys in kafkaJS');
    }
    send(record: { topic: string; messages: unknown[] }) {
      sent.push(record);
      return Promise.resolve(
        record.messages.map(() => ({ topicName: record.topic, partition: 0, errorCode: 0 })),
      );
    }
  }
  class Consumer {
    handler: Handler | undefined;
    constructor(readonly config: Record<string, unknown>) {}
    on(): never {
      notImplemented();
    }
    get events(): never {
      return notImplemented();
    }
    run(config: { eachMessage: Handler }) {
      this.handler = config.eachMessage;
      return Promise.resolve();
    }
  }
  class Kafka {
    producer(config?: Record<string, unknown>) {
      return new Producer(config);
    }
    consumer(config: Record<string, unknown>) {
      return new Consumer(config);
    }
  }
  return { KafkaJS: { Kafka, logLevel: {} }, sent };
}

function payload(): EachMessagePayload {
  return {
    topic: 'orders',
    partition: 1,
    message: {
      offset: '7',
      timestamp: String(Date.now()),
      headers: { 'X-B3-TraceId': '0a0fe92715674779853271002111' + '76', 'X-B3-SpanId': '0.1' },
    },
  } as unknown as EachMessagePayload;
}

let t: TestTracer;
let info: jest.SpyInstance;

beforeEach(() => {
  t = makeTracer('confluent-user');
  info = jest.spyOn(t.tracer.selfLog, 'info');
});

afterEach(async () => {
  await t.close();
});

function infoLines(): string[] {
  return info.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('kafka:'));
}

it('explicit `kafkajs: require(...).KafkaJS`: traced; consumers without events degrade with one info line', async () => {
  const { instrumentKafka } = await import('@sofa-tracer/kafka');
  const mod = confluentLike();
  const uninstall = instrumentKafka({ tracer: t.tracer, kafkajs: mod.KafkaJS });
  try {
    const kafka = new mod.KafkaJS.Kafka();
    // the throwing `events` getter and `on()` never reach the caller
    const consumer = kafka.consumer({ kafkaJS: { groupId: 'billing' } });
    kafka.consumer({ 'group.id': 'audit' });
    await consumer.run({ eachMessage: async () => {} });
    await consumer.handler!(payload());
    expect(t.spans).toHaveLength(1);
    expect(t.spans[0].tags['kafka.group']).toBe('billing');
    expect(t.spans[0].context().traceId).toBe('0a0fe9271567477985327100211176');
    expect(t.spans[0].context().spanId).toBe('0.1.1');

    // the producer config goes through without kafkajs' createPartitioner (confluent rejects it)
    const producer = kafka.producer();
    expect(producer.config).toBeUndefined();
    await producer.send({ topic: 'orders', messages: [{ value: 'x' }] });
    expect(t.spans).toHaveLength(2);
    expect(t.spans[1].tags['kafka.partition']).toBe(-1);
    kafka.producer();

    // one line per client kind, not one per consumer, naming what is unavailable
    const lines = infoLines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^kafka: this consumer has no kafkajs instrumentation event START_BATCH_PROCESS, END_BATCH_PROCESS, GROUP_JOIN, DISCONNECT, REQUEST, REQUEST_TIMEOUT .*kafka_consumergroup_lag, kafka_consumergroup_lag_sum, kafka_consumergroup_current_offset.*kafka_client_request_duration_seconds, kafka_client_request_timeouts_total unavailable/,
    );
    expect(lines[1]).toMatch(
      /^kafka: this producer has no kafkajs instrumentation event REQUEST, REQUEST_TIMEOUT .*kafka_client_request_duration_seconds, kafka_client_request_timeouts_total unavailable/,
    );
  } finally {
    uninstall();
  }
});

it('a client created before any tracer runs: the notice waits for the first tracer', async () => {
  const { instrumentKafka } = await import('@sofa-tracer/kafka');
  const mod = confluentLike();
  const uninstall = instrumentKafka({ kafkajs: mod.KafkaJS }); // the global tracer, none yet
  const dir = mkdtempSync(join(tmpdir(), 'confluent-global-'));
  try {
    const consumer = new mod.KafkaJS.Kafka().consumer({ kafkaJS: { groupId: 'g' } });
    await consumer.run({ eachMessage: async () => {} });
    const global = init({ appName: 'late', logDir: dir });
    const lateInfo = jest.spyOn(global.selfLog, 'info');
    const spans: unknown[] = [];
    global.addSpanListener({ onSpanReport: (sp) => spans.push(sp) });
    await consumer.handler!(payload());
    expect(spans).toHaveLength(1);
    expect(lateInfo.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringMatching(/^kafka: this consumer has no kafkajs instrumentation event START_BATCH_PROCESS/),
    ]);
    await global.close();
  } finally {
    uninstall();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('auto-detection (no `kafkajs` option)', () => {
  afterEach(() => {
    jest.resetModules();
  });

  it('patches require("@confluentinc/kafka-javascript").KafkaJS when it resolves, besides kafkajs', () => {
    const mod = confluentLike();
    const original = mod.KafkaJS.Kafka.prototype.consumer;
    jest.doMock('@confluentinc/kafka-javascript', () => mod, { virtual: true });
    jest.isolateModules(() => {
      const { instrumentKafka } = require('@sofa-tracer/kafka') as typeof import('@sofa-tracer/kafka');
      const kafkajs = require('kafkajs') as typeof import('kafkajs');
      const kafkajsConsumer = kafkajs.Kafka.prototype.consumer;
      const uninstall = instrumentKafka({ tracer: t.tracer });
      expect(mod.KafkaJS.Kafka.prototype.consumer).not.toBe(original);
      expect(kafkajs.Kafka.prototype.consumer).not.toBe(kafkajsConsumer);
      uninstall();
      expect(mod.KafkaJS.Kafka.prototype.consumer).toBe(original);
      expect(kafkajs.Kafka.prototype.consumer).toBe(kafkajsConsumer);
    });
    expect(infoLines()).toEqual([]);
  });

  it('installed but failing to load (no native binding): kafkajs still patched, one info line says so', () => {
    jest.doMock(
      '@confluentinc/kafka-javascript',
      () => {
        throw new Error('Could not locate the bindings file');
      },
      { virtual: true },
    );
    jest.isolateModules(() => {
      const { instrumentKafka } = require('@sofa-tracer/kafka') as typeof import('@sofa-tracer/kafka');
      const kafkajs = require('kafkajs') as typeof import('kafkajs');
      const kafkajsConsumer = kafkajs.Kafka.prototype.consumer;
      const uninstall = instrumentKafka({ tracer: t.tracer });
      expect(kafkajs.Kafka.prototype.consumer).not.toBe(kafkajsConsumer);
      uninstall();
    });
    expect(infoLines()).toEqual([
      expect.stringMatching(
        /^kafka: @confluentinc\/kafka-javascript is installed but failed to load \(Error: Could not locate the bindings file\): not traced$/,
      ),
    ]);
  });
});
