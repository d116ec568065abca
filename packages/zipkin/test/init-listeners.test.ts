// The README's second way in: `init({ appName, listeners: [zipkinReporter({ baseUrl })] })` — the
// reporter as a listener of the global tracer, posting to the strict receiver over a real socket.
// tracer.close() does not close listeners (core's ListenerSet has no close): the application
// closes the reporter, which flushes what is still queued.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init } from '@sofa-tracer/core';
import { zipkinReporter } from '@sofa-tracer/zipkin';
import { deadPort, until } from './support/helpers';
import { startZipkinReceiver, type ZipkinReceiver } from './support/zipkin-receiver';

let receiver: ZipkinReceiver;
const dir = mkdtempSync(join(tmpdir(), 'zipkin-init-'));

beforeAll(async () => {
  receiver = await startZipkinReceiver();
});

afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

it('init({ listeners: [zipkinReporter()] }): spans reach Zipkin; tracer.close() leaves the reporter to close()', async () => {
  // a long flush interval: nothing leaves before close() flushes
  const zipkin = zipkinReporter({
    baseUrl: receiver.baseUrl,
    flushIntervalMs: 60_000,
    localIpv4: '10.0.0.7',
  });
  const tracer = init({ appName: 'shop', logDir: join(dir, 'a'), listeners: [zipkin] });
  const root = tracer.startSpan('GET /cart', { kind: 'server', childOf: null });
  tracer.startSpan('mq-kafka-send', { kind: 'producer', childOf: root }).finish();
  root.finish();
  await until(() => zipkin.stats().queuedSpans === 2, 'two spans queued');

  await tracer.close();
  expect(zipkin.stats().sent).toBe(0); // still queued: the tracer did not close its listener
  expect(receiver.requests).toHaveLength(0);

  await zipkin.close();
  expect(receiver.errors).toEqual([]);
  expect(receiver.spans.map((s) => [s.name, s.kind])).toEqual([
    ['mq-kafka-send', 'PRODUCER'],
    ['GET /cart', 'SERVER'],
  ]);
  expect(
    receiver.spans.every((s) => (s.localEndpoint as { serviceName: string }).serviceName === 'shop'),
  ).toBe(true);
  expect(zipkin.stats()).toMatchObject({ reported: 2, sent: 2, dropped: 0, queuedSpans: 0 });
});

it('drops of a reporter created before init() are reported in the global tracer-self.log', async () => {
  const zipkin = zipkinReporter({
    baseUrl: `http://127.0.0.1:${await deadPort()}`,
    flushIntervalMs: 20,
    maxRetries: 0,
    reportIntervalMs: 10,
    closeTimeoutMs: 300,
  });
  const tracer = init({ appName: 'shop', logDir: join(dir, 'b'), listeners: [zipkin] });
  tracer.startSpan('GET /down', { kind: 'server', childOf: null }).finish();
  await until(() => zipkin.stats().dropped === 1, 'the span dropped (collector down)');
  await zipkin.close();
  await tracer.close();
  const selfLog = readFileSync(join(dir, 'b', 'tracelog', 'tracer-self.log'), 'utf8');
  expect(selfLog).toMatch(/zipkin: dropped 1 spans since the last report \(send_failed: 1\)/);
});
