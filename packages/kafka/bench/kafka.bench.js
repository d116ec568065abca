'use strict';
// Per-message CPU cost of @sofa-tracer/kafka, in process: the same producer `send` and consumer
// `eachMessage` calls with and without the instrumentation. kafkajs' own work and the network are
// left out on purpose (a kafkajs-shaped stand-in answers at once), so the numbers are what the
// instrumentation adds per message: span start/finish, header clone + injection (produce),
// header extraction (consume), digest line queued and stat recorded by a real tracer.
// Run after a build: `npm run build && node packages/kafka/bench/kafka.bench.js`.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const core = require(path.join(root, 'core', 'dist', 'index.js'));
const kafka = require(path.join(root, 'kafka', 'dist', 'index.js'));

const ITER = Number(process.env.BENCH_ITER || 200_000);
const logDir = process.env.BENCH_LOG_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-bench-'));

function stand_in() {
  const md = [{ topicName: 'orders', partition: 0, errorCode: 0, baseOffset: '0' }];
  const runs = [];
  class Kafka {
    producer() {
      return { send: async () => md, sendBatch: async () => md, transaction: async () => ({}) };
    }
    consumer() {
      return { run: async (config) => void runs.push(config) };
    }
  }
  return { Kafka, runs };
}

function messages(n) {
  return Array.from({ length: n }, (_, i) => ({
    key: 'k' + i,
    value: 'hello world',
    headers: { 'x-app': 'shop' },
  }));
}

/**
 * Best of 3 rounds of CPU time (user + system of this process) per message: on a shared machine
 * other processes only delay the wall clock, CPU time stays close to what the work costs.
 */
async function perMessage(name, fn, count) {
  for (let i = 0; i < 20_000; i++) await fn();
  let ns = Infinity;
  for (let round = 0; round < 3; round++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < ITER / count; i++) await fn();
    const c = process.cpuUsage(c0);
    ns = Math.min(ns, ((c.user + c.system) * 1000) / ITER);
  }
  return ns;
}

async function main() {
  const tracer = core.createTracer({ appName: 'bench', logDir, statLogInterval: 3600, shutdownHooks: false });
  const bare = stand_in();
  const traced = stand_in();
  const uninstall = kafka.instrumentKafka({ tracer, kafkajs: traced });
  const rows = [];
  const parent = tracer.startSpan('request', { kind: 'server', childOf: null });

  for (const n of [1, 10]) {
    const msgs = messages(n);
    const bp = new bare.Kafka().producer();
    const tp = new traced.Kafka().producer();
    const base = await perMessage('send bare', () => bp.send({ topic: 'orders', messages: msgs }), n);
    const inst = await perMessage(
      'send traced',
      () => tracer.withSpan(parent, () => tp.send({ topic: 'orders', messages: msgs })),
      n,
    );
    rows.push([`produce: send() of ${n} message(s), under a parent span`, base, inst]);
  }

  // consume: kafkajs hands Buffers; the record carries the Java text map + W3C headers
  const headers = {};
  tracer.inject(parent.context(), 'text_map', headers);
  for (const k of Object.keys(headers)) headers[k] = Buffer.from(String(headers[k]));
  const payload = {
    topic: 'orders',
    partition: 0,
    message: { offset: '42', timestamp: String(Date.now()), key: null, value: Buffer.from('v'), headers },
  };
  const handler = async () => undefined;
  await new bare.Kafka().consumer({ groupId: 'g' }).run({ eachMessage: handler });
  await new traced.Kafka().consumer({ groupId: 'g' }).run({ eachMessage: handler });
  const bareEach = bare.runs[0].eachMessage;
  const tracedEach = traced.runs[0].eachMessage;
  rows.push([
    'consume: eachMessage with trace headers',
    await perMessage('each bare', () => bareEach(payload), 1),
    await perMessage('each traced', () => tracedEach(payload), 1),
  ]);

  parent.finish();
  uninstall();
  await tracer.close();
  console.log(
    `@sofa-tracer/kafka CPU time per message (user+system), Node ${process.version}, ${ITER} messages per case, best of 3`,
  );
  console.log(
    'case'.padEnd(52) + 'bare ns'.padStart(10) + 'traced ns'.padStart(11) + 'added ns'.padStart(10),
  );
  for (const [name, b, t] of rows)
    console.log(
      name.padEnd(52) +
        b.toFixed(0).padStart(10) +
        t.toFixed(0).padStart(11) +
        (t - b).toFixed(0).padStart(10),
    );
  const result = {};
  for (const [name, b, t] of rows) result[name] = { bareCpuNs: Math.round(b), tracedCpuNs: Math.round(t) };
  console.log('RESULT ' + JSON.stringify({ node: process.version, perMessage: result }));
  if (!process.env.BENCH_LOG_DIR) fs.rmSync(logDir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
