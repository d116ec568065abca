import {
  isCodeZeroSuccess,
  KAFKA_CONSUME_LOG_TYPE_NAME,
  KAFKA_SEND_LOG_TYPE_NAME,
  KafkaTags,
  type LogTypeDefinition,
} from '@sofa-tracer/core';

/**
 * `kafkamq-send-digest.log` / `kafkamq-send-stat.log`: Java's plugin fields `kafka.topic`,
 * `kafka.partition` (the partition the broker stored the record in; −1 only when the send failed
 * before a partition was chosen — Java always writes −1 unless the record named one), `error`.
 * Stat key `local.app, kafka.topic, kafka.partition`; success only for `00`.
 */
export const KAFKA_SEND_LOG_TYPE: LogTypeDefinition = {
  name: KAFKA_SEND_LOG_TYPE_NAME,
  digestFile: 'kafkamq-send-digest.log',
  statFile: 'kafkamq-send-stat.log',
  digestFields: [
    { key: KafkaTags.TOPIC, type: 'string' },
    { key: KafkaTags.PARTITION, type: 'number', fallback: -1 },
    { key: KafkaTags.ERROR, type: 'string' },
  ],
  statKeyFields: [KafkaTags.TOPIC, KafkaTags.PARTITION],
  isSuccess: (span) => isCodeZeroSuccess(span.resultCode),
};

/**
 * `kafkamq-consume-digest.log` / `kafkamq-consume-stat.log`: `kafka.topic`, `kafka.partition`,
 * `kafka.offset` as Java, plus `error`. The stat key is `local.app, kafka.topic, kafka.partition`
 * — Java adds the offset, which makes one stat row per message.
 */
export const KAFKA_CONSUME_LOG_TYPE: LogTypeDefinition = {
  name: KAFKA_CONSUME_LOG_TYPE_NAME,
  digestFile: 'kafkamq-consume-digest.log',
  statFile: 'kafkamq-consume-stat.log',
  digestFields: [
    { key: KafkaTags.TOPIC, type: 'string' },
    { key: KafkaTags.PARTITION, type: 'number', fallback: -1 },
    { key: KafkaTags.OFFSET, type: 'number', fallback: -1 },
    { key: KafkaTags.ERROR, type: 'string' },
  ],
  statKeyFields: [KafkaTags.TOPIC, KafkaTags.PARTITION],
  isSuccess: (span) => isCodeZeroSuccess(span.resultCode),
};

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
    if (
      (typeof o.name === 'string' && /timeout/i.test(o.name)) ||
      o.code === 'ETIMEDOUT' ||
      o.name === 'KafkaJSRequestTimeoutError'
    )
      return KafkaResultCodes.TIMEOUT;
    e = o.originalError ?? o.cause;
  }
  return KafkaResultCodes.ERROR;
}
