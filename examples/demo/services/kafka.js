'use strict';
// The Kafka hop of the demo ("demo-orders"), optional: GET /orders/:id publishes an order event
// inside the request's trace and this service's own consumer group handles it, so the tree shows
// http server → kafka producer → kafka consumer (0.3.1 → 0.3.1.1 → 0.3.1.1.1) and the handler's
// "ship order" span under the consumer. On "close" it waits (up to 15 s) until every event it
// published has been handled, so the consumer side is on disk when the demo prints the tree.
//
// Broker: DEMO_KAFKA_BROKERS (host:port, comma-separated) when set; otherwise librdkafka's mock
// cluster through tools/kafka/mock-broker.py (needs python3 and Debian's librdkafka1:
// `bash tools/kafka/install.sh`). Without either, the service still starts: its "ready" message
// says `kafka: false` with the reason and /orders answers 503, so the demo runs without Kafka.
const path = require('node:path');
const { spawn } = require('node:child_process');
const { createInterface } = require('node:readline');
const { startTracer, run } = require('./service');

const tracer = startTracer('demo-orders');
const { instrumentKafka } = require('@sofa-tracer/kafka');

instrumentKafka(); // before the producer and consumer exist

const express = require('express');
const { sofaTracer } = require('@sofa-tracer/express');

const TOPIC = 'demo-orders';
const MOCK = path.join(__dirname, '..', '..', '..', 'tools', 'kafka', 'mock-broker.py');

/** The mock cluster on 127.0.0.1, with the topic created; rejects when it cannot start. */
function startMockBroker() {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [MOCK], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.once('exit', (code) => reject(new Error(`mock broker exited (${code}): ${stderr.trim()}`)));
    const lines = createInterface({ input: child.stdout });
    let bootstrap;
    lines.on('line', (line) => {
      if (bootstrap === undefined) {
        bootstrap = line.replace(/^BOOTSTRAP /, '');
        child.stdin.write(`topic ${TOPIC} 1\n`);
      } else if (line === 'OK') {
        resolve({ brokers: [bootstrap], stop: () => child.stdin.end() });
      } else reject(new Error('mock broker: ' + line));
    });
  });
}

async function connectKafka() {
  const broker = process.env.DEMO_KAFKA_BROKERS
    ? { brokers: process.env.DEMO_KAFKA_BROKERS.split(','), stop: () => undefined }
    : await startMockBroker();
  const { Kafka, logLevel, Partitioners } = require('kafkajs');
  const kafka = new Kafka({
    clientId: 'demo-orders',
    brokers: broker.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 }, // an unreachable DEMO_KAFKA_BROKERS fails the hop in seconds
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  // sessionTimeout/maxWaitTimeInMs: the mock broker's group join then takes ~3 s, not ~30 s
  const consumer = kafka.consumer({
    groupId: 'demo-shipping',
    sessionTimeout: 3000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
  });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const joined = new Promise((resolve) => {
    const off = consumer.on(consumer.events.GROUP_JOIN, () => {
      off();
      resolve();
    });
  });
  await consumer.run({
    // runs inside the consumer span, a child of the producer span of the request's trace
    eachMessage: async ({ message }) => {
      const order = JSON.parse(message.value.toString());
      const span = tracer.startSpan('ship order', {
        kind: 'internal',
        tags: { method: 'ship', order: order.id },
      });
      span.setResultCode('00');
      span.finish();
      handled++;
    },
  });
  await joined;
  return { producer, consumer, broker };
}

const app = express();
app.use(sofaTracer());

let kafka;
let kafkaError;
let published = 0;
let handled = 0;

app.get('/orders/:id', async (req, res) => {
  if (!kafka) return res.status(503).json({ error: 'kafka unavailable: ' + kafkaError });
  const [meta] = await kafka.producer.send({
    topic: TOPIC,
    messages: [{ key: req.params.id, value: JSON.stringify({ id: req.params.id, at: Date.now() }) }],
  });
  published++;
  res.json({ queued: req.params.id, partition: meta.partition, offset: meta.baseOffset });
});

connectKafka()
  .then((k) => (kafka = k))
  .catch((e) => (kafkaError = e.message))
  .finally(() =>
    run(app, {
      tracer,
      ready: { kafka: kafka !== undefined, kafkaError },
      onClose: async () => {
        if (!kafka) return;
        for (const deadline = Date.now() + 15_000; handled < published && Date.now() < deadline;) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        // disconnect waits for the handler in flight, so its spans are on disk before close
        await Promise.allSettled([kafka.consumer.disconnect(), kafka.producer.disconnect()]);
        kafka.broker.stop();
      },
    }),
  );
