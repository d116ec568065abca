// Span shape of the consumer wrappers with stubbed kafkajs consumers (fast; the same paths run
// against the real broker in kafka.test.ts): errors reach kafkajs unchanged, eachBatch spans end
// with the outcome of their own message.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { instrumentKafka, type EachBatchPayload, type EachMessagePayload } from '@sofa-tracer/kafka';
import { makeTracer, type TestTracer } from '../../../test/support/plugin-fixtures';
import { fakeKafkajs, memorySender, type FakeModule } from './helpers/fake-kafkajs';

let t: TestTracer;
let fake: FakeModule;
let uninstall: () => void;

beforeAll(() => {
  t = makeTracer('consumer-unit');
  fake = fakeKafkajs(memorySender());
  uninstall = instrumentKafka({ tracer: t.tracer, kafkajs: fake });
});

afterAll(async () => {
  uninstall();
  await t.close();
});

beforeEach(() => {
  t.spans.length = 0;
});

function message(offset: string, headers: Record<string, string | Buffer> = {}) {
  return { offset, timestamp: String(Date.now() - 250), key: null, value: Buffer.from('v'), headers };
}

async function runWith(config: Parameters<FakeModule['runs']['push']>[0]) {
  await new fake.Kafka().consumer({ groupId: 'g1' }).run(config);
  return fake.runs[fake.runs.length - 1];
}

describe('eachMessage', () => {
  it('a synchronous throw and a rejection both reach kafkajs as the very same error; span 99', async () => {
    const err = new TypeError('bad payload');
    const run = await runWith({
      eachMessage: (() => {
        throw err;
      }) as never,
    });
    const payload = { topic: 't', partition: 3, message: message('41') } as unknown as EachMessagePayload;
    await expect(run.eachMessage!(payload)).rejects.toBe(err);
    const [span] = t.spans;
    expect(span).toMatchObject({
      resultCode: '99',
      error: err,
      kind: 'consumer',
      operationName: 'mq-kafka-consume',
    });
    expect(span.tags).toMatchObject({
      'kafka.topic': 't',
      'kafka.partition': 3,
      'kafka.offset': 41,
      'kafka.group': 'g1',
      error: 'bad payload',
    });
  });

  it('a timeout error is 03', async () => {
    const err = Object.assign(new Error('slow'), { name: 'KafkaJSRequestTimeoutError' });
    const run = await runWith({ eachMessage: async () => Promise.reject(err) });
    await expect(
      run.eachMessage!({ topic: 't', partition: 0, message: message('1') } as unknown as EachMessagePayload),
    ).rejects.toBe(err);
    expect(t.spans[0].resultCode).toBe('03');
  });
});

describe('eachBatch', () => {
  it('resolved messages end 00 with their own duration; the rest end 99 with the error that ended the batch', async () => {
    const err = new Error('db down');
    const resolved: string[] = [];
    const run = await runWith({
      eachBatch: async ({ batch, resolveOffset }) => {
        await new Promise((r) => setTimeout(r, 30));
        resolveOffset(batch.messages[0].offset);
        throw err;
      },
    });
    const payload = {
      batch: { topic: 'b', partition: 1, messages: [message('10'), message('11'), message('12')] },
      resolveOffset: (o: string) => resolved.push(o),
    } as unknown as EachBatchPayload;
    await expect(run.eachBatch!(payload)).rejects.toBe(err);
    expect(resolved).toEqual(['10']); // kafkajs' own resolveOffset still called
    expect(t.spans.map((s) => [s.tags['kafka.offset'], s.resultCode])).toEqual([
      [10, '00'],
      [11, '99'],
      [12, '99'],
    ]);
    expect(t.spans[0].durationMs).toBeGreaterThanOrEqual(25);
    expect(t.spans[1].error).toBe(err);
  });

  it('an empty batch or a payload kafkajs never sends passes through untouched', async () => {
    const seen: unknown[] = [];
    const run = await runWith({ eachBatch: async (p) => void seen.push(p) });
    const empty = { batch: { topic: 'b', partition: 0, messages: [] }, resolveOffset: () => undefined };
    await run.eachBatch!(empty as unknown as EachBatchPayload);
    await run.eachBatch!(null as unknown as EachBatchPayload);
    expect(seen[1]).toBeNull();
    expect(t.spans).toEqual([]);
  });
});

describe('stat log (last: closes the tracer)', () => {
  it('one stat row per topic and partition, not per offset (Java keys by offset too)', async () => {
    const run = await runWith({ eachMessage: async () => undefined });
    for (const offset of ['5', '6', '7'])
      await run.eachMessage!({
        topic: 'stats',
        partition: 2,
        message: message(offset),
      } as unknown as EachMessagePayload);
    await t.tracer.close(); // prints pending stat rows
    const lines = readFileSync(join(t.dir, 'tracelog', 'kafkamq-consume-stat.log'), 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.includes('"stats"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      'stat.key': { 'local.app': 'consumer-unit', 'kafka.topic': 'stats', 'kafka.partition': '2' },
      count: 3,
      success: 'Y',
    });
  });
});
