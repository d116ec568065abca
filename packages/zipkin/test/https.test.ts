import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ZipkinReporter } from '@sofa-tracer/zipkin';
import { built, dist, runNode } from './support/child';
import { reportSpans, testReporter, until } from './support/helpers';
import { startZipkinReceiver, type ZipkinReceiver } from './support/zipkin-receiver';

/**
 * An `https://` collector with a private certificate (test/support/tls: self-signed for
 * 127.0.0.1, valid 2000–2100): trusted through NODE_EXTRA_CA_CERTS the spans arrive; untrusted,
 * the TLS error is a counted send failure, never an exception.
 */
const TLS_DIR = join(__dirname, 'support', 'tls');
const tls = { key: readFileSync(join(TLS_DIR, 'key.pem')), cert: readFileSync(join(TLS_DIR, 'cert.pem')) };

let receiver: ZipkinReceiver;
const opened: ZipkinReporter[] = [];

beforeAll(async () => {
  receiver = await startZipkinReceiver(() => 202, Infinity, tls);
});

afterAll(async () => {
  for (const r of opened) await r.close();
  await receiver.close();
});

(built ? it : it.skip)('with the CA trusted (NODE_EXTRA_CA_CERTS), spans are POSTed over TLS', async () => {
  const script = `
    const { zipkinReporter } = require(${JSON.stringify(dist('zipkin'))});
    const { SpanContext } = require(${JSON.stringify(dist('core'))});
    const z = zipkinReporter({ baseUrl: ${JSON.stringify(receiver.baseUrl)}, localIpv4: '10.0.0.7',
      selfLog: { info() {}, warn(m) { console.error(m); }, error() {}, flush: async () => {}, close: async () => {} } });
    for (let i = 1; i <= 5; i++) {
      const ctx = new SpanContext('0a0fe9271567477985327100211176', '0.' + i, '0', true);
      z.onSpanReport({ operationName: 'job', kind: 'server', logType: 'biz', localApp: 'tls-app', startTime: Date.now(),
        endTime: 0, durationMs: 1.5, resultCode: '00', error: undefined, tags: {}, logs: [], threadName: 'main',
        finished: true, context: () => ctx });
    }
    z.close().then(() => process.stdout.write(JSON.stringify(z.stats())));`;
  const before = receiver.spans.length;
  const r = await runNode(script, { NODE_EXTRA_CA_CERTS: join(TLS_DIR, 'cert.pem') });
  expect(r.code).toBe(0);
  expect(JSON.parse(r.out)).toMatchObject({ reported: 5, sent: 5, dropped: 0 });
  expect(receiver.spans.length - before).toBe(5);
  expect(receiver.errors).toEqual([]);
});

it('with the certificate not trusted, the TLS failure is counted as send_failed and reported', async () => {
  const { reporter, selfLog } = testReporter({ baseUrl: receiver.baseUrl, maxRetries: 0 }, opened);
  reportSpans(reporter, 4);
  await until(() => reporter.stats().dropped === 4, '4 drops');
  expect(reporter.stats().droppedBy).toMatchObject({ send_failed: 4 });
  await reporter.close();
  expect(selfLog.lines.at(-1)).toMatch(/last collector error: .*(SELF_SIGNED|self[- ]signed)/i);
});
