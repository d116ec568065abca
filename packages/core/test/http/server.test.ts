import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTracer } from '../../src';
import {
  activeHttpServerSpanCount,
  createHttpServerLogType,
  getHttpServerSpan,
  HttpServerTracing,
} from '../../src/http';
import type { ReadableSpan } from '../../src/span/readable-span';

/**
 * The server helper on a bare node:http server — what koa, Nest and egg plugins build on:
 * no framework, just `start(req, res)` and `withSpan`.
 */
describe('HttpServerTracing on a plain node:http server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sofa-http-server-'));
  const tracer = createTracer({ appName: 'plain', logDir: dir, statLogInterval: 3600 });
  const spans: ReadableSpan[] = [];
  tracer.addSpanListener({ onSpanReport: (s) => spans.push(s) });
  const LOG = createHttpServerLogType('plain');
  tracer.registerLogType(LOG);
  const tracing = new HttpServerTracing(tracer, {
    logType: 'plain',
    ignorePaths: (path) => path.startsWith('/skip'),
    // a koa-like plugin learns the route at the end
    beforeFinish: (st) => {
      if (st.req.url?.startsWith('/late')) st.route = '/late/:x';
      if (st.req.url === '/late/throw') throw new Error('hook failed');
    },
  });
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const st = tracing.start(req, res);
      tracer.withSpan(st?.span, () => {
        if (req.url === '/fail') {
          getHttpServerSpan(req)?.recordError(new Error('handler failed'));
          res.statusCode = 500;
          res.end('x');
          return;
        }
        if (st) st.route = '/things/:id';
        setTimeout(() => res.end(tracer.activeSpan()?.context().spanId ?? 'none'), 1);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await tracer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    spans.length = 0;
  });

  const until = async (n: number) => {
    for (let i = 0; i < 500 && spans.length < n; i++) await new Promise((r) => setTimeout(r, 5));
  };

  function get(path: string, headers: Record<string, string> = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      request(base + path, { headers }, (res) => {
        let s = '';
        res.on('data', (c) => (s += c));
        res.on('end', () => resolve(s));
      })
        .on('error', reject)
        .end();
    });
  }

  it('writes the digest line of a continued trace, with the route the plugin set', async () => {
    const body = await get('/things/1?q=1', {
      'X-B3-TraceId': '0a0fe9271567477985327100211176',
      'X-B3-SpanId': '0.2',
      'X-B3-Sampled': 'true',
    });
    expect(body).toBe('0.2.1');
    await until(1);
    await tracer.flush();
    const line = JSON.parse(
      readFileSync(join(dir, 'tracelog', 'plain-digest.log'), 'utf8').split(/\r?\n/)[0]!,
    ) as Record<string, unknown>;
    expect(line).toMatchObject({
      'local.app': 'plain',
      traceId: '0a0fe9271567477985327100211176',
      spanId: '0.2.1',
      'span.kind': 'server',
      'result.code': '200',
      'request.url': `${base}/things/1`,
      method: 'GET',
      'req.size.bytes': 0,
      'resp.size.bytes': 5,
      error: '',
      route: '/things/:id',
    });
    expect(activeHttpServerSpanCount()).toBe(0);
  });

  it('beforeFinish sets a route late; a throwing hook is contained', async () => {
    await get('/late/1');
    await get('/late/throw');
    await until(2);
    expect(spans.map((s) => [s.tags.route, s.resultCode])).toEqual([
      ['/late/:x', '200'],
      ['/late/:x', '200'],
    ]);
  });

  it('records errors the plugin reports; unmatched routes are UNMATCHED; ignored paths get nothing', async () => {
    await get('/fail');
    await get('/skip/me');
    await until(1);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ resultCode: '500', operationName: 'GET UNMATCHED' });
    expect(spans[0]!.tags).toMatchObject({ error: 'handler failed', route: 'UNMATCHED' });
  });
});
