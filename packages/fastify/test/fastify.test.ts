import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import sofaTracerDefault, { sofaTracer } from '@sofa-tracer/fastify';
import { activeHttpServerSpanCount, type ReadableSpan } from '@sofa-tracer/core';
import { instrumentHttpClients } from '@sofa-tracer/http-client';
import { FASTIFY_VERSIONS, start } from './fastify-apps';
import { HTTP_SERVER_DIGEST_KEYS, listen, makeTracer, until, type TestTracer } from './helpers';

const DIGEST = 'fastify-digest.log';
const JAVA_TRACE_ID = '0a0fe9271567477985327100211176';

describe.each(FASTIFY_VERSIONS)('%s', (_label, load) => {
  const Fastify = load();
  let t: TestTracer;
  let app: FastifyInstance;
  let base: string;
  let backendUrl: string;
  let closeBackend: () => Promise<void>;
  let uninstall: () => void;
  let backendSeen: IncomingHttpHeaders[];
  let seenByErrorHandler: unknown[];
  let hookSpans: Record<string, string | undefined>;
  let hangArrivals = 0;
  const thrown = new Error('boom');
  const rejected = new Error('rejected');
  const teapot = Object.assign(new Error('short and stout'), { statusCode: 418 });

  const spanIdNow = (): string | undefined => t.tracer.activeSpan()?.context().spanId;

  beforeAll(async () => {
    t = makeTracer('orders');
    // a plain node:http backend standing for the next service: what arrives on the wire
    const backend = createServer((req, res) => {
      backendSeen.push(req.headers);
      res.end('ok');
    });
    ({ url: backendUrl, close: closeBackend } = await listen(backend));

    app = Fastify();
    // the default export, as `import sofaTracer from '@sofa-tracer/fastify'`
    await app.register(sofaTracerDefault, {
      tracer: t.tracer,
      ignorePaths: ['/health'],
      customTags: (req) => ({ tenant: String(req.headers['x-tenant'] ?? '') }),
    });
    app.addHook('preParsing', (_req, _reply, payload, done) => {
      hookSpans.preParsing = spanIdNow();
      done(null, payload);
    });
    app.addHook('preValidation', async () => {
      hookSpans.preValidation = spanIdNow();
    });
    app.addHook('preHandler', (_req, _reply, done) => {
      setTimeout(() => {
        hookSpans.preHandler = spanIdNow();
        done();
      }, 1);
    });
    app.addHook('onSend', async (_req, _reply, payload) => {
      hookSpans.onSend = spanIdNow();
      return payload;
    });

    app.get('/health', async () => 'ok');
    app.get('/users/:id', async () => ({ ok: true }));
    app.register(
      async (v1) => {
        v1.register(
          async (users) => {
            users.get('/:id', async () => 'user');
            users.get('/', async () => 'list');
          },
          { prefix: '/users' },
        );
      },
      { prefix: '/api/v1' },
    );
    app.post('/orders', async (req: FastifyRequest) => {
      await new Promise((r) => setTimeout(r, 2));
      const res = await fetch(backendUrl + '/stock');
      await res.text();
      return { span: spanIdNow(), got: req.body };
    });
    app.post(
      '/validated',
      { schema: { body: { type: 'object', required: ['qty'], properties: { qty: { type: 'integer' } } } } },
      async () => 'valid',
    );
    app.get('/callback', (_req: FastifyRequest, reply: FastifyReply) => {
      setTimeout(() => reply.send(spanIdNow() ?? 'none'), 2);
    });
    app.get('/throw', () => {
      throw thrown;
    });
    app.get('/reject', async () => {
      await new Promise((r) => setTimeout(r, 1));
      throw rejected;
    });
    app.register(async (scoped) => {
      scoped.setErrorHandler((err, _req, reply) => {
        seenByErrorHandler.push(err);
        if (err === teapot) return reply.code(418).send('teapot');
        return reply.code(200).send('handled: ' + (err as Error).message);
      });
      scoped.get('/teapot', async () => {
        throw teapot;
      });
      scoped.get('/swallowed', async () => {
        throw new Error('turned into a 200');
      });
    });
    app.get('/stream', (_req, reply) => {
      const chunks = ['abc', 'é', 'xyz'];
      const body = new Readable({
        read() {
          setTimeout(() => this.push(chunks.length ? chunks.shift() : null), 2);
        },
      });
      reply.type('text/plain').send(body);
    });
    // a streamed reply whose _read runs later, from the stream machinery: each chunk is the span
    // id current there, and a child span started there (tracer call inside _read)
    app.get('/stream-span', (_req, reply) => {
      let n = 0;
      const body = new Readable({
        read() {
          setTimeout(() => {
            n++;
            if (n > 3) return this.push(null);
            const child = t.tracer.startSpan('stream.chunk');
            child.finish();
            this.push(`${spanIdNow() ?? 'none'}>${child.context().spanId};`);
          }, 2);
        },
      });
      reply.type('text/plain').send(body);
    });
    // synchronous _read, 1 MiB in 16 KiB chunks: past the socket's buffer, so most reads come
    // from the response's 'drain' (backpressure), not from the handler's call stack
    app.get('/stream-backpressure', (_req, reply) => {
      let n = 0;
      const body = new Readable({
        highWaterMark: 16 * 1024,
        read() {
          if (n++ === 64) return this.push(null);
          this.push((spanIdNow() ?? 'none').padEnd(16 * 1024, '~'));
        },
      });
      reply.type('text/plain').send(body);
    });
    app.get('/send-error', (_req, reply) => {
      setTimeout(() => reply.send(new Error('sent as error')), 1);
    });
    app.get('/send-error-422', (_req, reply) => {
      reply.send(Object.assign(new Error('unprocessable order'), { statusCode: 422 }));
    });
    app.get('/hijacked', (_req, reply) => {
      reply.hijack();
      reply.raw.writeHead(202, { 'content-type': 'text/plain' });
      reply.raw.end('raw ' + (spanIdNow() ?? 'none'));
    });
    app.get('/stream-fails', (_req, reply) => {
      let sent = false;
      const body = new Readable({
        read() {
          if (!sent) {
            sent = true;
            this.push('abc');
          } else setTimeout(() => this.destroy(new Error('disk gone')), 2);
        },
      });
      reply.type('text/plain').send(body);
    });
    app.get('/hang', () => {
      hangArrivals++;
      return new Promise(() => undefined);
    });
    ({ url: base } = await start(app));
    uninstall = instrumentHttpClients({ tracer: t.tracer, ignoreUrls: [base] });
  });

  beforeEach(() => {
    t.spans.length = 0;
    backendSeen = [];
    seenByErrorHandler = [];
    hookSpans = {};
  });

  afterAll(async () => {
    uninstall();
    await app.close();
    await closeBackend();
    await t.close();
  });

  /** Sends `n` requests to /hang and disconnects once the handler has them all. */
  async function abortHangs(n: number): Promise<void> {
    const target = hangArrivals + n;
    const requests = Array.from({ length: n }, () => {
      const req = httpRequest(base + '/hang');
      req.on('error', () => undefined);
      req.end();
      return req;
    });
    await until(() => hangArrivals >= target, 'requests in the handler');
    for (const req of requests) req.destroy();
  }

  async function serverSpans(n: number): Promise<ReadableSpan[]> {
    await until(() => t.spans.filter((s) => s.kind === 'server').length >= n, `${n} server spans`);
    return t.spans.filter((s) => s.kind === 'server');
  }

  it('exports the same plugin as default and as sofaTracer', () => {
    expect(sofaTracerDefault).toBe(sofaTracer);
  });

  it('writes one digest line with the express fields in order, route from fastify', async () => {
    const res = await fetch(base + '/users/42?token=secret', { headers: { 'x-tenant': 'acme' } });
    expect(res.status).toBe(200);
    const [span] = await serverSpans(1);
    const line = (await t.rawDigest(DIGEST)).find((l) => l.includes(span!.context().traceId))!;
    const obj = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(obj)).toEqual(HTTP_SERVER_DIGEST_KEYS);
    expect(obj).toMatchObject({
      'local.app': 'orders',
      spanId: '0',
      'span.kind': 'server',
      'result.code': '200',
      'request.url': `${base}/users/42`,
      method: 'GET',
      'req.size.bytes': 0,
      'resp.size.bytes': 11,
      error: '',
      route: '/users/:id',
    });
    expect(span!.tags.tenant).toBe('acme');
    expect(span!.operationName).toBe('GET /users/:id');
  });

  it.each([
    ['/api/v1/users/7', '/api/v1/users/:id', 200],
    ['/api/v1/users', '/api/v1/users', 200],
    ['/nope/1', 'UNMATCHED', 404],
  ])('route of %s is %s', async (path, route, status) => {
    expect((await fetch(base + path)).status).toBe(status);
    const [span] = await serverSpans(1);
    expect(span!.tags.route).toBe(route);
    expect(span!.resultCode).toBe(String(status));
  });

  /** POSTs `body` with its bytes arriving after the headers, in two packets (as large bodies do). */
  async function postLate(path: string, body: string, headers: Record<string, string>): Promise<string> {
    const before = activeHttpServerSpanCount();
    const req = httpRequest(base + path, { method: 'POST', headers });
    const response = new Promise<string>((resolve, reject) => {
      req.on('response', (r) => {
        let s = '';
        r.on('data', (c) => (s += c));
        r.on('end', () => resolve(s));
      });
      req.on('error', reject);
    });
    req.flushHeaders();
    // the span has started (onRequest ran) before any body byte is sent
    await until(() => activeHttpServerSpanCount() > before, 'the request to reach fastify');
    req.write(body.slice(0, 5));
    await new Promise((r) => setTimeout(r, 5));
    req.end(body.slice(5));
    return response;
  }

  const ORDER = JSON.stringify({ item: 'book', qty: 2 });
  const JSON_HEADERS = {
    'content-type': 'application/json',
    'X-B3-TraceId': JAVA_TRACE_ID,
    'X-B3-SpanId': '0.1',
  };

  it.each([
    [
      'in the packet of the headers',
      () =>
        fetch(base + '/orders', { method: 'POST', headers: JSON_HEADERS, body: ORDER }).then((r) => r.text()),
    ],
    [
      'after the headers (content-length)',
      () => postLate('/orders', ORDER, { ...JSON_HEADERS, 'content-length': String(ORDER.length) }),
    ],
    [
      'after the headers (chunked)',
      () => postLate('/orders', ORDER, { ...JSON_HEADERS, 'transfer-encoding': 'chunked' }),
    ],
  ])(
    'POST with a JSON body %s: the span stays current through parsing, hooks and the handler; its fetch is a child',
    async (_how, send) => {
      expect(JSON.parse(await send())).toEqual({ span: '0.1.1', got: { item: 'book', qty: 2 } });
      expect(hookSpans).toEqual({
        preParsing: '0.1.1',
        preValidation: '0.1.1',
        preHandler: '0.1.1',
        onSend: '0.1.1',
      });
      expect(backendSeen[0]).toMatchObject({
        'x-b3-traceid': JAVA_TRACE_ID,
        'x-b3-spanid': '0.1.1.1',
        'x-b3-parentspanid': '0.1.1',
      });
      const [server] = await serverSpans(1);
      expect(server!.context().spanId).toBe('0.1.1');
      expect(server!.tags).toMatchObject({ route: '/orders', method: 'POST', 'req.size.bytes': 23 });
      await until(() => t.spans.some((s) => s.kind === 'client'), 'the client span');
      const client = t.spans.find((s) => s.kind === 'client')!;
      expect(client.context().spanId).toBe('0.1.1.1');
    },
  );

  it('keeps the span current in a callback handler that replies from a timer', async () => {
    const res = await fetch(base + '/callback', {
      headers: { 'X-B3-TraceId': JAVA_TRACE_ID, 'X-B3-SpanId': '0.2' },
    });
    expect(await res.text()).toBe('0.2.1');
    expect(hookSpans.preHandler).toBe('0.2.1');
  });

  it.each([
    ['/throw', 500, 'boom'],
    ['/reject', 500, 'rejected'],
    ['/teapot', 418, 'short and stout'],
    ['/swallowed', 200, 'turned into a 200'],
  ])('records the error of %s with the status fastify answers (%s)', async (path, status, message) => {
    expect((await fetch(base + path)).status).toBe(status);
    const [span] = await serverSpans(1);
    expect(span!.resultCode).toBe(String(status));
    expect(span!.tags.error).toBe(message);
    expect(span!.tags.route).toBe(path);
  });

  it.each([
    ['an unparsable JSON body', '/orders', '{"item":'],
    ['a body failing the route schema', '/validated', '{"qty":"many"}'],
  ])('records %s as a 400 with fastify’s message', async (_what, path, body) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(400);
    const { message } = (await res.json()) as { message: string };
    const [span] = await serverSpans(1);
    expect(span!.resultCode).toBe('400');
    expect(span!.tags.route).toBe(path);
    expect(span!.tags.error).toBe(message);
    expect(message.length).toBeGreaterThan(0);
  });

  it('passes the very error object to setErrorHandler', async () => {
    await fetch(base + '/teapot');
    const [span] = await serverSpans(1);
    expect(seenByErrorHandler).toHaveLength(1);
    expect(seenByErrorHandler[0]).toBe(teapot);
    expect(span!.error).toBe(teapot);
  });

  it('counts the bytes of a streamed reply', async () => {
    const res = await fetch(base + '/stream');
    expect(await res.text()).toBe('abcéxyz');
    const [span] = await serverSpans(1);
    expect(span!.tags['resp.size.bytes']).toBe(8);
    expect(span!.resultCode).toBe('200');
  });

  it('keeps the span current inside a streamed reply’s _read (tracer calls there are children)', async () => {
    const res = await fetch(base + '/stream-span', {
      headers: { 'X-B3-TraceId': JAVA_TRACE_ID, 'X-B3-SpanId': '0.5' },
    });
    expect(await res.text()).toBe('0.5.1>0.5.1.1;0.5.1>0.5.1.2;0.5.1>0.5.1.3;');
    await serverSpans(1);
    const line = (await t.rawDigest(DIGEST)).find(
      (l) => l.includes(JAVA_TRACE_ID) && l.includes('"route":"/stream-span"'),
    )!;
    expect(JSON.parse(line)).toMatchObject({ spanId: '0.5.1', 'result.code': '200', 'resp.size.bytes': 42 });
  });

  it('keeps the span current in _read calls driven by backpressure (1 MiB streamed)', async () => {
    const res = await fetch(base + '/stream-backpressure', {
      headers: { 'X-B3-TraceId': JAVA_TRACE_ID, 'X-B3-SpanId': '0.7' },
    });
    const text = await res.text();
    expect(text).toHaveLength(64 * 16 * 1024);
    const seenIds = new Set(text.split(/~+/).filter(Boolean));
    expect([...seenIds]).toEqual(['0.7.1']);
    const [span] = await serverSpans(1);
    expect(span!.tags['resp.size.bytes']).toBe(64 * 16 * 1024);
  });

  it.each([
    ['/send-error', 500, 'sent as error'],
    ['/send-error-422', 422, 'unprocessable order'],
  ])(
    'records reply.send(err) of %s with status %s and the message, on disk',
    async (path, status, message) => {
      const res = await fetch(base + path, {
        headers: { 'X-B3-TraceId': JAVA_TRACE_ID, 'X-B3-SpanId': '0.6' },
      });
      expect(res.status).toBe(status);
      expect(((await res.json()) as { message: string }).message).toBe(message);
      const [span] = await serverSpans(1);
      expect(span!.resultCode).toBe(String(status));
      const line = (await t.rawDigest(DIGEST)).find((l) => l.includes(`"route":"${path}"`))!;
      expect(JSON.parse(line)).toMatchObject({
        traceId: JAVA_TRACE_ID,
        spanId: '0.6.1',
        'result.code': String(status),
        error: message,
        route: path,
      });
    },
  );

  it('ends the span of a hijacked reply with what was written to the raw response', async () => {
    const res = await fetch(base + '/hijacked', {
      headers: { 'X-B3-TraceId': JAVA_TRACE_ID, 'X-B3-SpanId': '0.3' },
    });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('raw 0.3.1');
    const [span] = await serverSpans(1);
    expect(span!.resultCode).toBe('202');
    expect(span!.tags).toMatchObject({ route: '/hijacked', 'resp.size.bytes': 9 });
  });

  it('records the error of a stream that fails after the headers went out', async () => {
    await fetch(base + '/stream-fails')
      .then((r) => r.text())
      .catch(() => undefined); // the connection is cut mid-body
    const [span] = await serverSpans(1);
    expect(span!.tags).toMatchObject({ route: '/stream-fails', error: 'disk gone', 'resp.size.bytes': 3 });
    expect(span!.resultCode).toBe('499'); // the reply never completed
  });

  it('finishes with 499 when the client disconnects before the reply', async () => {
    await abortHangs(1);
    const [span] = await serverSpans(1);
    expect(span!.resultCode).toBe('499');
    expect(span!.tags.error).toBe('client disconnected before the response was complete');
    expect(span!.tags.route).toBe('/hang');
  });

  it('finishes with 499 when the client goes away in the middle of a request body', async () => {
    const before = activeHttpServerSpanCount();
    const req = httpRequest(base + '/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '100' },
    });
    req.on('error', () => undefined);
    req.write('{"item":');
    await until(() => activeHttpServerSpanCount() > before, 'the request to reach fastify');
    req.destroy();
    const [span] = await serverSpans(1);
    expect(span!.resultCode).toBe('499');
    expect(span!.tags.route).toBe('/orders');
    expect(activeHttpServerSpanCount()).toBe(before);
  });

  it('gives ignored paths no span', async () => {
    await fetch(base + '/health').then((r) => r.text());
    await fetch(base + '/users/1').then((r) => r.text());
    const spans = await serverSpans(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(spans.map((s) => s.tags.route)).toEqual(['/users/:id']);
  });

  // app.inject() is tested in a child process (inject.test.ts): jest cannot load fastify 5's
  // light-my-request (it requires the ESM-only cookie 2)

  it('leaves no span open once requests (errors and aborts included) are done', async () => {
    const before = activeHttpServerSpanCount();
    await Promise.all([
      abortHangs(10),
      ...Array.from({ length: 40 }, (_, i) =>
        fetch(base + (i % 2 ? '/users/' + i : '/throw')).then((r) => r.text()),
      ),
    ]);
    await serverSpans(50);
    await until(() => activeHttpServerSpanCount() === before, 'all spans finished');
    expect(activeHttpServerSpanCount()).toBe(before);
  });
});
