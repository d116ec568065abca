// A stand-in kafkajs module whose producers forward to a given sender (a real, uninstrumented
// kafkajs producer in the tests) and whose consumers hand their run() config to the test. Used
// where the mock broker cannot go (transactions: it reports controller id 0) and for fast unit
// tests of span shape.
import type { ConsumerRunConfig, RecordMetadata, Sender } from '@sofa-tracer/kafka';

export interface FakeTransaction extends Sender {
  commit(): Promise<void>;
  abort(): Promise<void>;
  [field: string]: unknown;
}

export interface FakeModule {
  Kafka: new () => {
    producer(): Sender & { transaction(): Promise<FakeTransaction>; [field: string]: unknown };
    consumer(config: { groupId: string }): {
      run(config: ConsumerRunConfig): Promise<void>;
      [field: string]: unknown;
    };
  };
  /** The run() configs consumers received, latest last. */
  runs: ConsumerRunConfig[];
  /** Every record/batch the underlying sender received. */
  sent: unknown[];
}

export function fakeKafkajs(sender: Sender): FakeModule {
  const runs: ConsumerRunConfig[] = [];
  const sent: unknown[] = [];
  const forward = (): Sender => ({
    send: (r) => {
      sent.push(r);
      return sender.send(r);
    },
    sendBatch: (b) => {
      sent.push(b);
      return sender.sendBatch(b);
    },
  });
  class Kafka {
    producer() {
      return {
        ...forward(),
        transaction: async (): Promise<FakeTransaction> => ({
          ...forward(),
          commit: async () => undefined,
          abort: async () => undefined,
        }),
      };
    }
    consumer() {
      return {
        run: async (config: ConsumerRunConfig) => {
          runs.push(config);
        },
      };
    }
  }
  return { Kafka, runs, sent };
}

/** A sender that answers like a broker without one (for pure unit tests). */
export function memorySender(fail?: Error): Sender {
  const md = (topic: string): RecordMetadata[] => [
    { topicName: topic, partition: 0, errorCode: 0, baseOffset: '0' },
  ];
  return {
    send: async (r) => {
      if (fail) throw fail;
      return md(r.topic);
    },
    sendBatch: async (b) => {
      if (fail) throw fail;
      return md(b.topicMessages?.[0]?.topic ?? '');
    },
  };
}
