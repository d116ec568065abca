import express from 'express';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { sofaTracer } from '@sofa-tracer/express';
import { instrumentHttpClients } from '@sofa-tracer/http-client';
import { enableZipkin, type ZipkinOptions, type ZipkinReporter } from '@sofa-tracer/zipkin';
import { listen, makeTracer, until, type TestTracer } from '../../../test/support/plugin-fixtures';
import { deadPort } from './support/helpers';
import { startZipkinReceiver, type ZipkinReceiver } from './support/zipkin-receiver';

/**
 * Two real express services (gateway → backend over fetch), each with its own tracer and its own
 * Zipkin reporter, posting to one strict receiver: a trace entered from a Java-shaped SOFA B3
 * caller, from W3C and from nowhere must come out as one Zipkin trace with correct parent links.
 * Then the collector fails in every way while the services keep serving.
 */
type ZSpan = {
  traceId: string;
  id: string;
  parentId?: string;
  kind?: string;
  name: string;
  localEndpoint: { serviceName: string };
  remoteEndpoint?: { ipv4?: string; port?: number };
  tags: Record<string, string>;
};

const JAVA_TRACE_ID = '0a0fe9271567477985327100211176';
// FNV-1a 64 of "0.1": the id the Java caller's own Zipkin adapter gives its client span
const JAVA_CLIENT_SPAN = '4e18dd181d0a2066';

let gw: TestTracer;
let be: TestTracer;
let gwUrl: string;
let bePort: number;
const closers: (() => Promise<void>)[] = [];
let receiver: ZipkinReceiver;
let reporters: ZipkinReporter[] = [];

function attach(options: ZipkinOptions): { zgw: ZipkinReporter; zbe: ZipkinReporter } {
  const common = {
    flushIntervalMs: 20,
    retryBackoffMs: 5,
    closeTimeoutMs: 500,
    localIpv4: '10.0.0.7',
    ...options,
  };
  const zgw = enableZipkin({ ...common, tracer: gw.tracer, selfLog: gw.tracer.selfLog });
  const zbe = enableZipkin({ ...common, tracer: be.tracer, selfLog: be.tracer.selfLog });
  reporters.push(zgw, zbe);
  return { zgw, zbe };
}

beforeAll(async () => {
  gw = makeTracer('gateway', {}, false);
  be = makeTracer('backend', {}, false);
  const backend = express();
  backend.use(sofaTracer({ tracer: be.tracer }));
  backend.get('/items/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  const b = await listen(createServer(backend));
  bePort = b.port;
  closers.push(b.close);
  const gateway = express();
  gateway.use(sofaTracer({ tracer: gw.tracer }));
  gateway.get('/checkout', async (_req, res) => {
    res.json(await (await fetch(`${b.url}/items/1`)).json());
  });
  const g = await listen(createServer(gateway));
  gwUrl = g.url;
  closers.push(g.close);
  // The test's own calls into the gateway stand for an untraced caller. The Zipkin endpoint is
  // deliberately NOT ignored: the reporter's own POSTs must never become spans.
  const uninstall = instrumentHttpClients({ tracer: gw.tracer, ignoreUrls: [gwUrl] });
  closers.push(async () => uninstall());
});

afterAll(async () => {
  for (const c of closers.reverse()) await c();
  await gw.close();
  await be.close();
});

afterEach(async () => {
  for (const r of reporters) await r.close();
  reporters = [];
  await receiver?.close();
});

function traceOf(traceId: string): ZSpan[] {
  return (receiver.spans as unknown as ZSpan[]).filter((s) => s.traceId === traceId);
}

async function oneTrace(
  headers: Record<string, string>,
  traceId: () => string | undefined,
): Promise<ZSpan[]> {
  const res = await fetch(gwUrl + '/checkout', { headers });
  expect(res.status).toBe(200);
  await res.json();
  await until(() => traceId() !== undefined && traceOf(traceId()!).length === 3, 'three spans of the trace');
  const spans = traceOf(traceId()!);
  const server = spans.find((s) => s.kind === 'SERVER' && s.localEndpoint.serviceName === 'gateway')!;
  const client = spans.find((s) => s.kind === 'CLIENT')!;
  const backend = spans.find((s) => s.localEndpoint.serviceName === 'backend')!;
  expect([server, client, backend].every(Boolean)).toBe(true);
  // parent links: gateway server ← gateway client ← backend server
  expect(client.parentId).toBe(server.id);
  expect(backend.parentId).toBe(client.id);
  expect(backend.kind).toBe('SERVER');
  expect(client.localEndpoint.serviceName).toBe('gateway');
  expect(client.remoteEndpoint).toEqual({ ipv4: '127.0.0.1', port: bePort });
  expect(backend.tags.route).toBe('/items/:id');
  expect(receiver.errors).toEqual([]);
  return [server, client, backend];
}

describe('gateway → backend, both reporting to one Zipkin', () => {
  beforeEach(async () => {
    receiver = await startZipkinReceiver();
    attach({ baseUrl: receiver.baseUrl });
  });

  it('a Java SOFATracer caller (SOFA B3 headers): one trace, the gateway span is the child of the Java client span', async () => {
    const [server, client, backend] = await oneTrace(
      {
        'X-B3-TraceId': JAVA_TRACE_ID,
        'X-B3-SpanId': '0.1',
        'X-B3-ParentSpanId': '0',
        'X-B3-Sampled': 'true',
      },
      () => '00' + JAVA_TRACE_ID,
    );
    expect(server!.parentId).toBe(JAVA_CLIENT_SPAN);
    expect(server!.id).toBe('b1ecc5b0e1cf206b'); // FNV-1a 64 of "0.1.1"
    expect([server, client, backend].map((s) => s!.tags['origin.span.id'])).toEqual([
      '0.1.1',
      '0.1.1.1',
      '0.1.1.1.1',
    ]);
  });

  it('a W3C caller: the 32-hex trace id is kept, the foreign parent span id exactly', async () => {
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const [server] = await oneTrace({ traceparent: `00-${trace}-00f067aa0ba902b7-01` }, () => trace);
    expect(server!.parentId).toBe('00f067aa0ba902b7');
  });

  it('no caller context: a new root at the gateway, and the reporters never trace their own POSTs', async () => {
    let traceId: string | undefined;
    const find = () =>
      (traceId ??= (receiver.spans as unknown as ZSpan[]).find(
        (s) => s.tags['origin.span.id'] === '0',
      )?.traceId);
    const [server] = await oneTrace({}, find);
    expect(server!.parentId).toBeUndefined();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await new Promise((r) => setTimeout(r, 150)); // several flushes
    expect(receiver.spans).toHaveLength(3);
    expect(
      (await gw.digest('httpclient-digest.log')).filter((l) =>
        String(l['request.url']).includes('/api/v2/spans'),
      ),
    ).toEqual([]);
  });

  it('unsampled traces never reach Zipkin', async () => {
    await (
      await fetch(gwUrl + '/checkout', {
        headers: { 'X-B3-TraceId': JAVA_TRACE_ID + 'aa', 'X-B3-SpanId': '0.2', 'X-B3-Sampled': 'false' },
      })
    ).json();
    await reporters[0]!.flush();
    await reporters[1]!.flush();
    expect(receiver.spans).toEqual([]);
  });
});

describe('the collector fails: the services keep serving, drops are counted exactly, memory stays bounded', () => {
  const REQUESTS = 60;

  async function load(zgw: ZipkinReporter, queueBound = 16): Promise<number[]> {
    const statuses: number[] = [];
    let maxQueued = 0;
    for (let i = 0; i < REQUESTS; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const r = await fetch(gwUrl + '/checkout');
          await r.arrayBuffer();
          return r.status;
        }),
      );
      statuses.push(...batch);
      maxQueued = Math.max(maxQueued, zgw.stats().queuedSpans);
    }
    expect(maxQueued).toBeLessThanOrEqual(queueBound);
    return statuses;
  }

  async function expectAccounted(zgw: ZipkinReporter, zbe: ZipkinReporter): Promise<void> {
    await zgw.close();
    await zbe.close();
    expect(zgw.stats().reported).toBe(REQUESTS * 2); // server + client span per request
    expect(zbe.stats().reported).toBe(REQUESTS);
    for (const z of [zgw, zbe]) {
      const s = z.stats();
      expect(s.sent + s.dropped).toBe(s.reported);
      expect(s.queuedSpans + s.inFlightSpans).toBe(0);
    }
    // what an operator reads: the last drop summary in each service's tracer-self.log on disk
    for (const [t, z] of [
      [gw, zgw],
      [be, zbe],
    ] as const) {
      if (z.stats().dropped === 0) continue;
      await t.tracer.flush();
      const lines = readFileSync(join(t.dir, 'tracelog', 'tracer-self.log'), 'utf8')
        .split(/\r?\n/)
        .filter((l) => l.includes('zipkin: dropped'));
      expect(lines.at(-1)).toMatch(
        new RegExp(
          `\\[WARN\\] {2}zipkin: dropped \\d+ spans since the last report \\(.+\\); ${z.stats().dropped} dropped in total`,
        ),
      );
    }
  }

  const faults: [string, (r: ZipkinReceiver) => void][] = [
    ['hanging', (r) => (r.respond = () => 'hang')],
    ['answering 500', (r) => (r.respond = () => 500)],
  ];

  it.each(faults)('collector %s', async (_name, fault) => {
    receiver = await startZipkinReceiver();
    fault(receiver);
    const { zgw, zbe } = attach({
      baseUrl: receiver.baseUrl,
      maxQueueSpans: 16,
      timeoutMs: 200,
      maxRetries: 1,
    });
    expect(await load(zgw)).toEqual(Array(REQUESTS).fill(200));
    await expectAccounted(zgw, zbe);
    expect(zgw.stats().sent + zbe.stats().sent).toBe(0);
    expect(receiver.spans).toEqual([]);
  });

  it('collector down (nothing listening)', async () => {
    receiver = await startZipkinReceiver();
    const { zgw, zbe } = attach({
      baseUrl: `http://127.0.0.1:${await deadPort()}`,
      maxQueueSpans: 16,
      maxRetries: 1,
    });
    expect(await load(zgw)).toEqual(Array(REQUESTS).fill(200));
    await expectAccounted(zgw, zbe);
    expect(
      zgw.stats().droppedBy.send_failed + zgw.stats().droppedBy.queue_full + zgw.stats().droppedBy.closed,
    ).toBe(REQUESTS * 2);
  });

  it('collector answering 413 to big bodies: batches are split, nothing is lost', async () => {
    receiver = await startZipkinReceiver();
    receiver.maxBodyBytes = 2500;
    const { zgw, zbe } = attach({ baseUrl: receiver.baseUrl, maxQueueSpans: 1000, flushIntervalMs: 200 });
    expect(await load(zgw, 1000)).toEqual(Array(REQUESTS).fill(200));
    await expectAccounted(zgw, zbe);
    expect(zgw.stats()).toMatchObject({ sent: REQUESTS * 2, dropped: 0 });
    expect(zbe.stats()).toMatchObject({ sent: REQUESTS, dropped: 0 });
    expect(receiver.requests.some((r) => r.status === 413)).toBe(true);
    expect(receiver.errors).toEqual([]);
    expect(receiver.spans).toHaveLength(REQUESTS * 3);
  });
});
