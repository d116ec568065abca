/**
 * @sofa-tracer/kafka — SOFATracer for kafkajs 2.x: one producer span per message
 * (`kafkamq-send-digest.log`), one consumer span per message continuing the producer's trace
 * (`kafkamq-consume-digest.log`), trace headers as Java SOFATracer's Kafka text map plus W3C, and
 * the offsets lag metrics need, published on diagnostics channels for `@sofa-tracer/lookout`.
 */
import { tryGetTracer } from '@sofa-tracer/core';
import { wrapConsumer } from './consumer';
import type { ConsumerConfig, KafkaModule, KafkaPrototype } from './kafkajs-types';
import { isKafkaModule, validateOptions, type InstrumentKafkaOptions } from './options';
import { withRecordingPartitioner, wrapProducer } from './producer';
import { KafkaTracing } from './tracing';

export type { InstrumentKafkaOptions } from './options';
export type * from './kafkajs-types';
export { KAFKA_SEND_LOG_TYPE, KAFKA_CONSUME_LOG_TYPE, KafkaResultCodes } from './log-types';
export { SEND_OPERATION } from './producer';
export { CONSUME_OPERATION, kafkaMessageSpan } from './consumer';
export { isTraceHeader } from './headers';
export { KafkaTags, KAFKA_CHANNELS } from '@sofa-tracer/core';

interface Installation {
  readonly tracing: KafkaTracing;
  readonly undo: (() => void)[];
  readonly uninstall: () => void;
}

let installed: Installation | undefined;

/** The KafkaJS API of `@confluentinc/kafka-javascript`, detected when installed. */
const CONFLUENT = '@confluentinc/kafka-javascript';

function notFound(e: unknown, name: string): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  return (
    err?.code === 'MODULE_NOT_FOUND' && typeof err.message === 'string' && err.message.includes(`'${name}'`)
  );
}

/**
 * The modules patched by default: `kafkajs`, and `@confluentinc/kafka-javascript`'s `KafkaJS`
 * API when it resolves. One that is installed but fails to load (a missing native binding) is
 * named in a self-log notice.
 */
function loadDefaultModules(tracing: KafkaTracing): KafkaModule[] {
  const found: KafkaModule[] = [];
  for (const [name, pick] of [
    ['kafkajs', (m: unknown) => m],
    [CONFLUENT, (m: unknown) => (m as { KafkaJS?: unknown } | null)?.KafkaJS],
  ] as const) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const m = pick(require(name));
      if (isKafkaModule(m)) found.push(m);
      else tracing.notice(`kafka: ${name} loaded but has no kafkajs-compatible Kafka class: not traced`);
    } catch (e) {
      if (!notFound(e, name))
        tracing.notice(`kafka: ${name} is installed but failed to load (${String(e)}): not traced`);
    }
  }
  return found;
}

function groupIdOf(config: ConsumerConfig | undefined): string {
  const c = config as
    (ConsumerConfig & { kafkaJS?: { groupId?: unknown }; 'group.id'?: unknown }) | undefined;
  const id = c?.groupId ?? c?.kafkaJS?.groupId ?? c?.['group.id'];
  return typeof id === 'string' ? id : '';
}

function patch(tracing: KafkaTracing, mod: KafkaModule): () => void {
  const proto = mod.Kafka.prototype;
  const producer = proto.producer;
  const consumer = proto.consumer;
  const fallbackPartitioner = mod.Partitioners?.DefaultPartitioner;
  const patchedProducer: KafkaPrototype['producer'] = function tracedProducer(this: KafkaPrototype, config?) {
    if (!tracing.active) return producer.call(this, config);
    return wrapProducer(tracing, producer.call(this, withRecordingPartitioner(config, fallbackPartitioner)));
  };
  const patchedConsumer: KafkaPrototype['consumer'] = function tracedConsumer(
    this: KafkaPrototype,
    config: ConsumerConfig,
  ) {
    const c = consumer.call(this, config);
    return tracing.active ? wrapConsumer(tracing, c, groupIdOf(config)) : c;
  };
  proto.producer = patchedProducer;
  proto.consumer = patchedConsumer;
  return () => {
    // restore only what is still ours (someone may have wrapped after us)
    if (proto.producer === patchedProducer) proto.producer = producer;
    if (proto.consumer === patchedConsumer) proto.consumer = consumer;
  };
}

/**
 * Traces kafkajs (and `@confluentinc/kafka-javascript`'s `KafkaJS` API when it is installed):
 * producers and consumers created after this call — from `Kafka` instances
 * created before or after it — get producer/consumer spans. Returns `uninstall()`, which restores
 * the `Kafka` prototype and turns the wrappers of existing producers and consumers into
 * pass-throughs. Calling it again while installed changes nothing and returns the same
 * `uninstall`. Invalid options throw a ConfigError naming the option.
 *
 * @example
 * const { instrumentKafka } = require('@sofa-tracer/kafka');
 * instrumentKafka();
 */
export function instrumentKafka(options: InstrumentKafkaOptions = {}): () => void {
  validateOptions(options);
  if (installed !== undefined) {
    tryGetTracer()?.selfLog.warn('instrumentKafka() called again: the first installation stays');
    return installed.uninstall;
  }
  const tracing = new KafkaTracing(options);
  // validateOptions checked every given module with isKafkaModule
  const modules: KafkaModule[] = options.kafkajs
    ? ([
        ...(Array.isArray(options.kafkajs) ? options.kafkajs : [options.kafkajs]),
      ] as unknown as KafkaModule[])
    : loadDefaultModules(tracing);
  const undo = [...new Set(modules)].map((m) => patch(tracing, m));
  const record: Installation = {
    tracing,
    undo,
    uninstall: () => {
      if (installed !== record) return;
      installed = undefined;
      tracing.active = false;
      for (const u of undo) u();
      for (const c of tracing.cleanups) {
        try {
          c();
        } catch {
          // a consumer already gone
        }
      }
      tracing.cleanups.clear();
    },
  };
  installed = record;
  return record.uninstall;
}

/** True while `instrumentKafka()` is in effect (for tests and health checks). */
export function isKafkaInstrumented(): boolean {
  return installed !== undefined;
}
