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

function rawRequest(options: http.RequestOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .request(options, (res) => {
        res.resume();
        res.on('end', resolve);
      })
      .on('error', reject)
      .end();
  });
}

it('propagateTo decides on the real connection target, not a Host header the caller set', async () => {
  await withInstalled({ propagateTo: ['api.internal.example.com', 'localhost'] }, async () => {
    // A proxy keeping the client's Host: the socket goes to 127.0.0.1, which is not allowed.
    await rawRequest({
      host: '127.0.0.1',
      port: backend.port,
      path: '/echo?token=1',
      headers: { host: 'api.internal.example.com', 'baggage-user': 'secret' },
    });
    // The opposite: an allowed target with an unrelated Host header still gets the headers.
    await rawRequest({ hostname: 'localhost', port: backend.port, path: '/echo', headers: { host: 'other' } });
    // A URL string plus options: the port comes from the URL, the target from it too.
    await httpGet(`http://127.0.0.1:${backend.port}/echo`);
  });
  await until(() => t.spans.length === 3, '3 spans');
  expect(
    backend.seen.map((s) => [
      s.headers.host,
      s.headers['x-b3-traceid'] !== undefined,
      s.headers.traceparent !== undefined,
      s.headers['baggage-user'] ?? null,
    ]),
  ).toEqual([
    ['api.internal.example.com', false, false, null],
    ['other', true, true, null],
    [`127.0.0.1:${backend.port}`, false, false, null],
  ]);
  // the digest names the host the call really went to; so does the stat key (remote.host)
  const lines = await t.digest('httpclient-digest.log');
  expect(lines.slice(-3).map((l) => l['request.url'])).toEqual([
    `http://127.0.0.1:${backend.port}/echo`,
    `http://localhost:${backend.port}/echo`,
    `http://127.0.0.1:${backend.port}/echo`,
  ]);
  expect(t.spans.map((s) => s.tags['remote.host'])).toEqual([
    `127.0.0.1:${backend.port}`,
    `localhost:${backend.port}`,
    `127.0.0.1:${backend.port}`,
  ]);
});

// An app forwarding its incoming headers: copied trace headers must not reach any host twice,
// bypass the baggage limit, or reach a host off the allow-list.
const copied = {
  'X-B3-TraceId': '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  'X-B3-SpanId': '0.9',
  'x-b3-parentspanid': '0',
  'X-B3-Sampled': 'true',
  b3: '0a1b2c3d4e5f60718293a4b5c6d7e8f9-0000000000000009-1',
  'baggage-user': 'u'.repeat(5000),
  'baggage-sys-zone': 'gz',
  sftc_head: 'tcid=0a1b2c3d4e5f60718293a4b5c6d7e8f9&spid=0.9',
  traceparent: '00-0a1b2c3d4e5f60718293a4b5c6d7e8f9-0000000000000009-01',
  tracestate: 'vendor=copied',
  baggage: 'user=copied',
  'x-request-id': 'kept',
};
const TRACE_NAMES = Object.keys(copied)
  .map((k) => k.toLowerCase())
  .filter((k) => k !== 'x-request-id');

it('the tracer replaces trace headers the app copied onto a traced call (allowed and other hosts)', async () => {
  await withInstalled({ propagateTo: ['localhost'] }, async () => {
    const parent = t.tracer.startSpan('GET /in', { kind: 'server', childOf: null });
    await t.tracer.withSpan(parent, async () => {
      await fetch(`http://localhost:${backend.port}/echo`, { headers: copied }).then((r) => r.text());
      await rawRequest({ hostname: 'localhost', port: backend.port, path: '/echo', headers: copied });
      await fetch(`http://127.0.0.1:${backend.port}/echo`, { headers: copied }).then((r) => r.text());
      await rawRequest({ host: '127.0.0.1', port: backend.port, path: '/echo', headers: copied });
    });
    parent.finish();
  });
  expect(backend.seen).toHaveLength(4);
  for (const [i, s] of backend.seen.entries()) {
    const names = s.rawHeaders.filter((_, k) => k % 2 === 0).map((n) => n.toLowerCase());
    // nothing sent twice, the app's own headers untouched
    expect(new Set(names).size).toBe(names.length);
    expect(s.headers['x-request-id']).toBe('kept');
    for (const copiedName of ['b3', 'sftc_head', 'baggage-user', 'baggage-sys-zone', 'baggage'])
      expect([i, copiedName, s.headers[copiedName]]).toEqual([i, copiedName, undefined]);
    if (i < 2) {
      // allowed host: the tracer's own context, not the copied one
      expect(s.headers['x-b3-traceid']).toMatch(/^[0-9a-f]{16,32}$/);
      expect(s.headers['x-b3-traceid']).not.toBe(copied['X-B3-TraceId']);
      expect(s.headers.traceparent).not.toContain('0a1b2c3d4e5f60718293a4b5c6d7e8f9');
      expect(s.headers.tracestate ?? '').not.toContain('vendor=copied');
    } else {
      for (const n of TRACE_NAMES) expect([i, n, s.headers[n]]).toEqual([i, n, undefined]);
    }
  }
});

it('trace headers the app sets after creating a traced node:http request are ignored (setHeader, appendHeader, setHeaders)', async () => {
  await withInstalled({ propagateTo: ['localhost'] }, async () => {
    const parent = t.tracer.startSpan('GET /in', { kind: 'server', childOf: null });
    await t.tracer.withSpan(parent, async () => {
      for (const host of ['localhost', '127.0.0.1']) {
        await new Promise<void>((resolve, reject) => {
          const req = http.request({ hostname: host, port: backend.port, path: '/echo' }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          req.on('error', reject);
          req.setHeader('traceparent', copied.traceparent);
          req.setHeader('X-B3-TraceId', copied['X-B3-TraceId']);
          req.appendHeader('baggage', copied.baggage);
          req.setHeaders(new Headers({ 'baggage-user': copied['baggage-user'], b3: copied.b3 }));
          req.setHeader('x-request-id', 'kept'); // not a trace header: the app's own
          req.end();
        });
      }
    });
    parent.finish();
  });
  expect(backend.seen).toHaveLength(2);
  const [allowed, other] = backend.seen;
  for (const s of backend.seen) {
    expect(s.headers['x-request-id']).toBe('kept');
    for (const n of ['b3', 'baggage-user', 'baggage']) expect([n, s.headers[n]]).toEqual([n, undefined]);
  }
  // allowed host: exactly the tracer's context, the one its digest line names
  const span = t.spans.find((s) => s.tags['remote.host'] === `localhost:${backend.port}`)!;
  expect(allowed!.headers['x-b3-traceid']).toBe(span.context().traceId);
  expect(allowed!.headers['x-b3-spanid']).toBe(span.context().spanId);
  expect(allowed!.headers.traceparent).not.toBe(copied.traceparent);
  expect(allowed!.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  // a host off the allow-list: no trace header at all
  for (const n of TRACE_NAMES) expect([n, other!.headers[n]]).toEqual([n, undefined]);
});

it('a node:http request with headers as a raw array sends none of the trace headers in it, and the caller’s options are untouched', async () => {
  await withInstalled({ propagateTo: ['localhost'] }, async () => {
    // a raw array is sent as it is: Node adds no Host header of its own
    const raw = ['Host', `localhost:${backend.port}`, ...Object.entries(copied).flat()];
    const options = { hostname: 'localhost', port: backend.port, path: '/echo', headers: raw };
    const before = JSON.stringify(options);
    await rawRequest(options);
    expect(JSON.stringify(options)).toBe(before);
  });
  expect(backend.seen).toHaveLength(1);
  const s = backend.seen[0]!;
  expect(s.headers['x-request-id']).toBe('kept');
  for (const n of TRACE_NAMES) expect([n, s.headers[n]]).toEqual([n, undefined]);
  await until(() => t.spans.length === 1, '1 span');
  expect(t.spans[0]!.tags['request.url']).toBe(`http://localhost:${backend.port}/echo`);
});
