// A Nest microservice on the Kafka transport (Nest 11, kafkajs, librdkafka's mock broker): the
// @sofa-tracer/kafka consumer span is current while Nest runs the @EventPattern handler, so
// TracerService sees the producer's trace and @Traced spans are children of the consumer span.
import 'reflect-metadata';
import { Controller, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, KafkaContext, Payload, Transport } from '@nestjs/microservices';
import { logLevel } from 'kafkajs';
import { instrumentKafka } from '@sofa-tracer/kafka';
import { startMockBroker, type MockBroker } from '../../kafka/test/helpers/broker';
import { eventually, kafkaClient, uniqueName } from '../../kafka/test/helpers/kafka';
import { makeTracer, type TestTracer } from '../../../test/support/plugin-fixtures';
import { SofaTracerModule, Traced, TracerService } from '../src';

const TOPIC = uniqueName('nest-orders');
const received: { traceId?: string; spanId?: string; orderId?: unknown; traceHeader?: string }[] = [];

@Injectable()
class OrderHandler {
  @Traced()
  async handle(order: { id: number }): Promise<number> {
    return order.id;
  }
}

@Controller()
class OrdersConsumer {
  constructor(
    private readonly handler: OrderHandler,
    private readonly tracer: TracerService,
  ) {}

  @EventPattern(TOPIC)
  async onOrder(@Payload() order: { id: number }, @Ctx() ctx: KafkaContext): Promise<void> {
    await this.handler.handle(order);
    const h = ctx.getMessage().headers?.['X-B3-TraceId'] ?? ctx.getMessage().headers?.['x-b3-traceid'];
    received.push({
      traceId: this.tracer.traceId,
      spanId: this.tracer.spanId,
      orderId: order.id,
      traceHeader: h === undefined ? undefined : String(h),
    });
  }
}

describe('Nest microservice on the Kafka transport', () => {
  let broker: MockBroker;
  let t: TestTracer;
  let uninstall: () => void;

  beforeAll(async () => {
    broker = await startMockBroker();
    await broker.createTopic(TOPIC, 1);
    t = makeTracer('nest-kafka');
    uninstall = instrumentKafka({ tracer: t.tracer });
  });

  afterAll(async () => {
    uninstall?.();
    await t?.close();
    await broker?.stop();
  });

  it('runs @EventPattern handlers in the consumer span of the producer trace', async () => {
    @Module({
      imports: [SofaTracerModule.forRoot({ tracer: t.tracer })],
      controllers: [OrdersConsumer],
      providers: [OrderHandler],
    })
    class ConsumerModule {}
    const ms = await NestFactory.createMicroservice(ConsumerModule, {
      logger: false,
      transport: Transport.KAFKA,
      options: {
        client: { clientId: 'nest-ms', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING },
        consumer: {
          groupId: uniqueName('nest-group'),
          sessionTimeout: 3000,
          heartbeatInterval: 500,
          rebalanceTimeout: 3000,
          maxWaitTimeInMs: 100,
        },
        subscribe: { fromBeginning: true },
      },
    });
    await ms.listen();
    const producer = kafkaClient(broker.bootstrap).producer();
    await producer.connect();
    try {
      const parent = t.tracer.startSpan('place-order');
      await t.tracer.withSpan(parent, () =>
        producer.send({ topic: TOPIC, messages: [{ value: JSON.stringify({ id: 7 }) }] }),
      );
      parent.finish();
      await eventually(() => received.length > 0, 'the handler');
      const traceId = parent.context().traceId;
      expect(received[0]).toMatchObject({ traceId, orderId: 7, traceHeader: traceId });
      await eventually(() => t.spans.some((s) => s.operationName === 'OrderHandler.handle'), 'the biz span');
      const consume = t.spans.find((s) => s.kind === 'consumer')!;
      const biz = t.spans.find((s) => s.operationName === 'OrderHandler.handle')!;
      expect(consume.context().traceId).toBe(traceId);
      expect(received[0]!.spanId).toBe(consume.context().spanId);
      expect(biz.context().spanId).toBe(consume.context().spanId + '.1');
      const lines = await t.digest('biz-digest.log');
      expect(lines.find((l) => l.method === 'OrderHandler.handle')).toMatchObject({
        traceId,
        'result.code': '00',
      });
    } finally {
      await producer.disconnect();
      await ms.close();
    }
  });
});
