import {
  isCodeZeroSuccess,
  KAFKA_CONSUME_LOG_TYPE_NAME,
  KAFKA_SEND_LOG_TYPE_NAME,
  KafkaTags,
  type DigestField,
  type LogTypeDefinition,
} from '@sofa-tracer/core';

/** `<name>-digest.log` / `<name>-stat.log`, stat key `local.app, kafka.topic, kafka.partition`, success only for `00`. */
function kafkaLogType(name: string, digestFields: readonly DigestField[]): LogTypeDefinition {
  return {
    name,
    digestFile: `${name}-digest.log`,
    statFile: `${name}-stat.log`,
    digestFields,
    statKeyFields: [KafkaTags.TOPIC, KafkaTags.PARTITION],
    isSuccess: (span) => isCodeZeroSuccess(span.resultCode),
  };
}

const TOPIC: DigestField = { key: KafkaTags.TOPIC, type: 'string' };
const PARTITION: DigestField = { key: KafkaTags.PARTITION, type: 'number', fallback: -1 };
const ERROR: DigestField = { key: KafkaTags.ERROR, type: 'string' };

/**
 * `kafkamq-send-digest.log` / `kafkamq-send-stat.log`: Java's plugin fields `kafka.topic`,
 * `kafka.partition` (the partition the broker stored the record in; −1 only when the send failed
 * before a partition was chosen — Java always writes −1 unless the record named one), `error`.
 */
export const KAFKA_SEND_LOG_TYPE: LogTypeDefinition = kafkaLogType(KAFKA_SEND_LOG_TYPE_NAME, [
  TOPIC,
  PARTITION,
  ERROR,
]);

/**
 * `kafkamq-consume-digest.log` / `kafkamq-consume-stat.log`: `kafka.topic`, `kafka.partition`,
 * `kafka.offset` as Java, plus `error`. The stat key leaves the offset out — Java adds it, which
 * makes one stat row per message.
 */
export const KAFKA_CONSUME_LOG_TYPE: LogTypeDefinition = kafkaLogType(KAFKA_CONSUME_LOG_TYPE_NAME, [
  TOPIC,
  PARTITION,
  { key: KafkaTags.OFFSET, type: 'number', fallback: -1 },
  ERROR,
]);

/** `result.code` of Kafka spans (Java's MQ codes). */
export const KafkaResultCodes = {
  SUCCESS: '00',
  ERROR: '99',
  TIMEOUT: '03',
} as const;

/** `03` when the error (or what it wraps: `originalError`, `cause`) is a timeout, else `99`. */
export function kafkaErrorResultCode(error: unknown): string {
  let e: unknown = error;
  for (let depth = 0; depth < 3 && e !== null && typeof e === 'object'; depth++) {
    const o = e as { name?: unknown; code?: unknown; originalError?: unknown; cause?: unknown };
    if ((typeof o.name === 'string' && /timeout/i.test(o.name)) || o.code === 'ETIMEDOUT')
      return KafkaResultCodes.TIMEOUT;
    e = o.originalError ?? o.cause;
  }
  return KafkaResultCodes.ERROR;
}
