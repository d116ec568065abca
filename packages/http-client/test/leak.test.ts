import http from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { request as undiciRequest } from 'undici';
import axios from 'axios';
import { instrumentHttpClients, httpClientInstrumentationStats } from '@sofa-tracer/http-client';
import { makeTracer, until, type TestTracer } from './helpers';
import { startBackend } from './backend';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let t: TestTracer;
let backend: Awaited<ReturnType<typeof startBackend>>;
let uninstall: () => void;
let finished = 0;
let closedPort = 0;

beforeAll(async () => {
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  t = makeTracer('leaky', { disableDigestLog: true }, false);
  t.tracer.addSpanListener({ onSpanReport: () => void finished++ });
  backend = await startBackend();
  uninstall = instrumentHttpClients({ tracer: t.tracer });
});

afterAll(async () => {
  uninstall();
  await backend.close();
  await t.close();
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });

/** One call of a client picked by `i`: successes, 404s, refused connections and aborts. */
function call(i: number): Promise<unknown> {
  const kind = i % 10;
  const url = backend.url;
  const swallow = (): undefined => undefined;
  switch (kind) {
    case 0:
    case 1:
      return fetch(url + '/echo').then((r) => r.text());
    case 2:
    case 3:
      return undiciRequest(url + '/chunked').then((r) => r.body.text());
    case 4:
      return axios.get(url + '/status/404', { httpAgent: agent }).catch(swallow);
    case 5:
      return new Promise<void>((resolve) => {
        http.get(url + '/echo', { agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
      });
    case 6: {
      const ac = new AbortController();
      const p = fetch(url + '/slow?ms=200', { signal: ac.signal }).catch(swallow);
      setImmediate(() => ac.abort());
      return p;
    }
    case 7:
      return fetch(`http://127.0.0.1:${closedPort}/`).catch(swallow); // refused
    case 8:
      return new Promise<void>((resolve) => {
        const req = http.get(url + '/slow?ms=200', { agent });
        req.on('error', () => resolve());
        setImmediate(() => req.destroy());
      });
    default:
      return undiciRequest(url + '/reset')
        .then((r) => r.body.text())
        .catch(swallow);
  }
}

async function drive(total: number): Promise<void> {
  const concurrency = 50;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await call(next++);
    }),
  );
}

it('5000 calls across clients, with errors and aborts: every span finishes once, nothing is left behind', async () => {
  const parent = t.tracer.startSpan('load', { childOf: null });
  await t.tracer.withSpan(parent, () => drive(1000));
  await until(() => httpClientInstrumentationStats().activeSpans === 0, 'warm-up spans to finish');
  backend.seen.length = 0; // the backend's own request log is not ours to measure
  gc();
  const warm = process.memoryUsage().heapUsed;

  finished = 0;
  await t.tracer.withSpan(parent, () => drive(5000));
  await until(() => httpClientInstrumentationStats().activeSpans === 0, 'all client spans to finish');
  parent.finish();
  expect(finished).toBe(5001); // 5000 client spans (exactly once each) + the parent
  backend.seen.length = 0;
  gc();
  const after = process.memoryUsage().heapUsed;
  // flat in practice (±0.5 MB); a per-call leak of even 1 KB would add 5 MB
  expect(after - warm).toBeLessThan(3 * 1024 * 1024);
  expect(httpClientInstrumentationStats()).toMatchObject({
    installed: true,
    activeSpans: 0,
    channelSubscriptions: 5,
    clientPrototypeWrapped: true,
  });
  agent.destroy();
});
