// Starts librdkafka's mock cluster (tools/kafka/mock-broker.py, a real Kafka-protocol broker on
// 127.0.0.1) for one test file: `beforeAll(start)`, `afterAll(stop)`. Missing librdkafka fails the
// test with the install hint — never a silent skip.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const SCRIPT = join(__dirname, '..', '..', '..', '..', 'tools', 'kafka', 'mock-broker.py');

/** A running mock cluster. */
export interface MockBroker {
  /** `127.0.0.1:<port>`. */
  readonly bootstrap: string;
  /** Creates a topic through the mock's C API (kafkajs' createTopics fails against the mock). */
  createTopic(name: string, partitions: number): Promise<void>;
  /** Closes stdin; the script exits and the cluster's sockets close. */
  stop(): Promise<void>;
}

/** Spawns the mock broker and resolves once it prints its bootstrap address. */
export function startMockBroker(timeoutMs = 15_000): Promise<MockBroker> {
  const child: ChildProcessWithoutNullStreams = spawn('python3', [SCRIPT], { stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  let onFirst: ((line: string) => void) | undefined;
  lines.on('line', (line) => {
    if (onFirst) {
      const f = onFirst;
      onFirst = undefined;
      f(line);
    } else waiting.shift()?.(line);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<MockBroker>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`mock broker did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `mock broker exited (${code}) before listening: ${stderr.trim()} — install librdkafka1 with tools/kafka/install.sh`,
        ),
      );
    });
    onFirst = (line) => {
      clearTimeout(timer);
      const m = /^BOOTSTRAP (\S+)$/.exec(line);
      if (!m) {
        child.kill();
        reject(new Error('unexpected mock broker output: ' + line));
        return;
      }
      resolve({
        bootstrap: m[1],
        createTopic: (name, partitions) =>
          new Promise<void>((ok, fail) => {
            waiting.push((reply) => (reply === 'OK' ? ok() : fail(new Error(`topic ${name}: ${reply}`))));
            child.stdin.write(`topic ${name} ${partitions}\n`);
          }),
        stop: async () => {
          child.stdin.end();
          const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(killer);
        },
      });
    };
  });
}
