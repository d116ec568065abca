import { ConfigError, PROPAGATION_FORMATS, type PropagationFormat, type Tracer } from '@sofa-tracer/core';
import type { KafkaModule, KafkaModuleLike } from './kafkajs-types';

/** Options of `instrumentKafka()`. */
export interface InstrumentKafkaOptions {
  /**
   * The tracer to use. Default: the global tracer, looked up per message — so instrumentation can
   * be installed before `init()`; messages handled while no tracer runs are not traced.
   */
  tracer?: Tracer;
  /**
   * The kafkajs-compatible module(s) whose `Kafka` class is instrumented. Default
   * `require('kafkajs')`. Pass another copy (an aliased version, a bundled copy) explicitly.
   */
  kafkajs?: KafkaModuleLike | readonly KafkaModuleLike[];
  /**
   * Header formats written into produced records, in order. Default: the tracer's inject formats
   * (`sofa-b3` — Java's Kafka text map — and `w3c`). Accepted: `sofa-b3`, `sftc`, `w3c`, `b3`.
   */
  injectFormats?: readonly PropagationFormat[];
  /** Trace only messages produced while a span is active (no root producer spans). Default false. */
  requireParent?: boolean;
}

/** Checks the options; an invalid one throws a ConfigError naming it and the accepted values. */
export function validateOptions(options: InstrumentKafkaOptions): void {
  if (options === null || typeof options !== 'object')
    throw new ConfigError('instrumentKafka options', options, 'an object or nothing');
  const formats = options.injectFormats;
  if (formats !== undefined) {
    if (!Array.isArray(formats) || formats.some((f) => !PROPAGATION_FORMATS.includes(f)))
      throw new ConfigError('injectFormats', formats, `an array of ${PROPAGATION_FORMATS.join(', ')}`);
  }
  if (options.requireParent !== undefined && typeof options.requireParent !== 'boolean')
    throw new ConfigError('requireParent', options.requireParent, 'true or false');
  if (
    options.tracer !== undefined &&
    (options.tracer === null || typeof options.tracer.startSpan !== 'function')
  )
    throw new ConfigError('tracer', options.tracer, 'a @sofa-tracer/core Tracer');
  if (options.kafkajs !== undefined) {
    const list = Array.isArray(options.kafkajs) ? options.kafkajs : [options.kafkajs];
    for (const m of list as unknown[])
      if (!isKafkaModule(m))
        throw new ConfigError('kafkajs', '(object)', 'a kafkajs-compatible module with a Kafka class');
  }
}

/** True when `m` has a `Kafka` class with `producer` and `consumer` methods. */
export function isKafkaModule(m: unknown): m is KafkaModule {
  const k: unknown = (m as { Kafka?: unknown } | null)?.Kafka;
  if (typeof k !== 'function') return false;
  const proto = (k as { prototype?: Record<string, unknown> }).prototype;
  return typeof proto?.producer === 'function' && typeof proto?.consumer === 'function';
}
