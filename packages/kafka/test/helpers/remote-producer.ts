// A kafkajs producer in another Node process (another service): nothing of it is instrumented and
// none of its produce acknowledgements reach this process's lag bookkeeping. Commands on stdin
// (`<topic> <count>`), one `OK` (or `ERR <message>`) line back per command.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const CHILD = `
const { Kafka, logLevel } = require('kafkajs');
const { createInterface } = require('node:readline');
const kafka = new Kafka({ clientId: 'remote-service', brokers: [process.argv[1]], logLevel: logLevel.NOTHING });
const producer = kafka.producer({ allowAutoTopicCreation: false });
let queue = Promise.resolve();
producer.connect().then(() => {
  console.log('READY');
  createInterface({ input: process.stdin }).on('line', (line) => {
    const [topic, n] = line.split(' ');
    queue = queue.then(() =>
      producer
        .send({ topic, messages: Array.from({ length: Number(n) }, (_, i) => ({ value: 'remote-' + i })) })
        .then(() => console.log('OK'), (e) => console.log('ERR ' + e.message)),
    );
  }).on('close', () => queue.then(() => producer.disconnect()).then(() => process.exit(0)));
}, (e) => { console.log('ERR ' + e.message); process.exit(1); });
`;

/** A producer running in a child process. */
export interface RemoteProducer {
  readonly pid: number;
  /** Sends `count` records to `topic` from the other process; resolves after the broker acked. */
  produce(topic: string, count: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startRemoteProducer(bootstrap: string): Promise<RemoteProducer> {
  const child = spawn(process.execPath, ['-e', CHILD, bootstrap], {
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: __dirname, // resolves the repository's kafkajs
  });
  const replies: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => replies.shift()?.(line));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const next = (): Promise<string> => new Promise((r) => replies.push(r));
  const ready = await Promise.race([next(), exited.then(() => 'exited')]);
  if (ready !== 'READY') throw new Error('remote producer did not start: ' + ready);
  return {
    pid: child.pid!,
    async produce(topic, count) {
      const reply = next();
      child.stdin.write(`${topic} ${count}\n`);
      const line = await reply;
      if (line !== 'OK') throw new Error('remote produce failed: ' + line);
    },
    async stop() {
      child.stdin.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}
