import http from 'node:http';
import { instrumentHttpClients } from '@sofa-tracer/http-client';
import { makeTracer, until, type TestTracer } from './helpers';
import { startBackend } from './backend';

let t: TestTracer;
let backend: Awaited<ReturnType<typeof startBackend>>;

beforeAll(async () => {
  t = makeTracer('gateway');
  backend = await startBackend();
});

afterAll(async () => {
  await backend.close();
  await t.close();
});

beforeEach(() => {
  t.spans.length = 0;
  backend.seen.length = 0;
});

function httpGet(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        res.on('end', resolve);
      })
      .on('error', reject);
  });
}

async function withInstalled(
  options: Parameters<typeof instrumentHttpClients>[0],
  fn: () => Promise<void>,
): Promise<void> {
  const uninstall = instrumentHttpClients({ tracer: t.tracer, ...options });
  try {
    await fn();
  } finally {
    uninstall();
  }
}

it('propagateTo: hosts off the allow-list are traced but get no trace headers', async () => {
  await withInstalled({ propagateTo: ['localhost', /^internal\./, '*.svc.cluster.local'] }, async () => {
    await fetch(backend.url + '/echo').then((r) => r.text()); // 127.0.0.1: not allowed
    await fetch(`http://localhost:${backend.port}/echo`).then((r) => r.text()); // allowed
    await httpGet(backend.url + '/echo');
    await httpGet(`http://localhost:${backend.port}/echo`);
  });
  await until(() => t.spans.length === 4, '4 spans');
  const traced = backend.seen.map((s) => [
    s.headers.host?.split(':')[0],
    s.headers['x-b3-traceid'] !== undefined,
    s.headers.traceparent !== undefined,
  ]);
  expect(traced).toEqual([
    ['127.0.0.1', false, false],
    ['localhost', true, true],
    ['127.0.0.1', false, false],
    ['localhost', true, true],
  ]);
});

it('requireParent: calls outside a span are not traced and carry no headers', async () => {
  await withInstalled({ requireParent: true }, async () => {
    await fetch(backend.url + '/echo').then((r) => r.text());
    await httpGet(backend.url + '/echo');
    const parent = t.tracer.startSpan('job', { childOf: null });
    await t.tracer.withSpan(parent, () => fetch(backend.url + '/echo').then((r) => r.text()));
    parent.finish();
  });
  await until(() => t.spans.length === 2, '2 spans');
  expect(t.spans.map((s) => s.kind)).toEqual(['client', 'internal']);
  expect(backend.seen.map((s) => s.headers['x-b3-spanid'])).toEqual([undefined, undefined, '0.1']);
});

it('redactQuery and ignoreUrls', async () => {
  await withInstalled({ redactQuery: ['token'], ignoreUrls: [`${backend.url}/ignored`] }, async () => {
    await fetch(backend.url + '/echo?token=abc&page=2').then((r) => r.text());
    await fetch(backend.url + '/ignored/x').then((r) => r.text());
  });
  await until(() => t.spans.length === 1, '1 span');
  await new Promise((r) => setTimeout(r, 20));
  expect(t.spans).toHaveLength(1);
  expect(t.spans[0]!.tags['request.url']).toBe(`${backend.url}/echo?token=***&page=2`);
  expect(backend.seen[1]!.headers['x-b3-traceid']).toBeUndefined();
});

it('without a tracer option, uses the global tracer when one runs and stays silent otherwise', async () => {
  const uninstall = instrumentHttpClients();
  try {
    await fetch(backend.url + '/echo').then((r) => r.text());
    expect(backend.seen[0]!.headers['x-b3-traceid']).toBeUndefined();
  } finally {
    uninstall();
  }
});

it('a second install is a no-op: one span per call', async () => {
  const u1 = instrumentHttpClients({ tracer: t.tracer });
  const u2 = instrumentHttpClients({ tracer: t.tracer });
  try {
    expect(u2).toBe(u1);
    await httpGet(backend.url + '/echo');
    await fetch(backend.url + '/echo').then((r) => r.text());
  } finally {
    u1();
  }
  await until(() => t.spans.length === 2, '2 spans');
  await new Promise((r) => setTimeout(r, 20));
  expect(t.spans).toHaveLength(2);
});
