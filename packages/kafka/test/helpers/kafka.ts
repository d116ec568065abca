// kafkajs clients tuned for the mock broker's limits (docs: shared kafka-testing.md): quiet logs,
// a fresh group id per consumer, sessionTimeout 3000 and maxWaitTimeInMs 100 so joins and
// rebalances take seconds, not half a minute.
import { Kafka, logLevel, type Consumer, type ConsumerConfig } from 'kafkajs';

let seq = 0;

/** A unique name for topics and groups of one test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++seq}`;
}

/** A kafkajs client of the mock broker. */
export function kafkaClient(bootstrap: string): Kafka {
  return new Kafka({
    clientId: 'sofa-test',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  });
}

/** Consumer settings the mock broker needs. */
export function consumerConfig(extra: Partial<ConsumerConfig> = {}): ConsumerConfig {
  return {
    groupId: uniqueName('group'),
    sessionTimeout: 3000,
    heartbeatInterval: 500,
    rebalanceTimeout: 3000,
    maxWaitTimeInMs: 100,
    retry: { retries: 2, initialRetryTime: 100 },
    ...extra,
  };
}

/** Subscribes from the beginning and resolves once the consumer joined its group. */
export async function subscribed(consumer: Consumer, topic: string): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
}

/** Resolves when GROUP_JOIN fired (call before `run`). */
export function joined(consumer: Consumer): Promise<void> {
  return new Promise((resolve) => {
    const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
      remove();
      resolve();
    });
  });
}

/** Polls `fn` every 50 ms until it returns true (generous deadline for a loaded 2-core machine). */
export async function eventually(
  fn: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}
