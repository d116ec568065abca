// The behaviour every supported egg major must show, run against one real fixture app (booted
// once per test file: egg boots are slow) on egg-mock's real HTTP server.
import { join } from 'node:path';
import { activeHttpServerSpanCount } from '@sofa-tracer/core';
import {
  expectCleanRawLines,
  expectSanitisedOutgoing,
  HOSTILE_HEADER_CASES,
  JAVA_TRACE_ID,
  rawGet,
} from '../../../test/support/hostile-headers';
import { HTTP_SERVER_DIGEST_KEYS } from '../../../test/support/plugin-fixtures';
import {
  bootBff,
  digestOf,
  FIXTURES,
  linesOf,
  loadEgg,
  rawRequest,
  rawRequestBytes,
  statRowsOf,
  tracerLogRoot,
  until,
  waitForLine,
  webLogOf,
  type BootedBff,
  type EggMajor,
  type MockApp,
} from './egg-env';

/** What the fixture's httpclient 'request' listener saw of the tracer egg handed to urllib. */
interface CurlTracerSeen {
  url: string;
  isAppTracer: boolean;
  className: string;
  traceId: string;
}

/**
 * `GET <route>?to=<backend><path>` with a Java caller's headers (span 0.1): the fixture's handler
 * calls the backend with egg's httpclient (`/proxy`: `ctx.curl`, `/proxy-app`: `app.curl`). The
 * call is client span 0.1.1.1, child of the server span 0.1.1: one set of trace headers (SOFA B3
 * and traceparent) reaches the real backend, a line in httpclient-digest.log, the server line in
 * egg-digest.log with the same trace id, and egg gave urllib the plugin's tracer-slot object
 * (`ctx.tracer` for ctx.curl, `app.tracer` for app.curl) answering with that trace id.
 */
export async function expectCurlTraced(
  bff: BootedBff,
  traceId: string,
  route: '/proxy' | '/proxy-app',
  path: string,
): Promise<void> {
  const { app, server, backend, logs } = bff;
  const res = await rawRequest(
    server.port,
    route + '?to=' + encodeURIComponent(backend.url + path + '?q=1'),
    {
      'X-B3-TraceId': traceId,
      'X-B3-SpanId': '0.1',
    },
  );
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ status: 200, traceId, spanId: '0.1.1' });
  // what the backend received on the wire (its own record, not only what it echoed)
  const seen = backend.seen.filter((h) => h['x-b3-traceid'] === traceId);
  expect(seen).toHaveLength(1);
  expect(seen[0]).toEqual((res.body as { seen: Record<string, string> }).seen);
  expect(seen[0]!['x-b3-traceid']).toBe(traceId); // one value: not the caller's plus ours
  expect(seen[0]!['x-b3-spanid']).toBe('0.1.1.1');
  expect(seen[0]!['x-b3-parentspanid']).toBe('0.1.1');
  expect(seen[0]!.traceparent).toMatch(new RegExp(`^00-${traceId.padStart(32, '0')}-[0-9a-f]{16}-01$`));
  await bff.flush();
  const client = await waitForLine(
    logs.file('httpclient-digest.log'),
    (l) => l.traceId === traceId,
    'the client line',
  );
  expect(client).toMatchObject({
    spanId: '0.1.1.1',
    'span.kind': 'client',
    method: 'GET',
    'result.code': '200',
  });
  expect(client['request.url']).toBe(backend.url + path);
  const serverLine = await waitForLine(
    logs.file('egg-digest.log'),
    (l) => l.traceId === traceId,
    'the server line',
  );
  expect(serverLine).toMatchObject({ spanId: '0.1.1', 'span.kind': 'server', route, 'result.code': '200' });
  // egg's tracer slot: the object egg passed to urllib as `args.tracer`
  const handed = (app.curlTracers as CurlTracerSeen[]).filter((t) => t.url.includes(path + '?q=1'));
  expect(handed).toEqual([
    { url: expect.any(String), isAppTracer: route === '/proxy-app', className: 'SofaEggTracer', traceId },
  ]);
}

export function describeEggPlugin(major: EggMajor): void {
  describe(`@sofa-tracer/egg on ${major}`, () => {
    let bff: BootedBff;
    let app: MockApp;
    let server: BootedBff['server'];
    let logs: BootedBff['logs'];
    let EGG_DIGEST = '';
    const get = (path: string, headers?: Record<string, string>) => rawRequest(server.port, path, headers);
    const flush = (): Promise<void> => bff.flush();

    beforeAll(async () => {
      bff = await bootBff(major);
      ({ app, server, logs } = bff);
      EGG_DIGEST = logs.file('egg-digest.log');
    });

    afterAll(async () => {
      await bff?.close();
    });

    it('continues a Java SOFA trace: server span 0.1 → 0.1.1, express fields in order, egg route', async () => {
      const res = await get('/api/users/42?token=secret', {
        ['X-B3-TraceId']: JAVA_TRACE_ID,
        ['X-B3-SpanId']: '0.1',
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: '42', traceId: JAVA_TRACE_ID, spanId: '0.1.1' });
      await flush();
      const line = await waitForLine(EGG_DIGEST, (l) => l.traceId === JAVA_TRACE_ID, 'the server line');
      expect(Object.keys(line)).toEqual(HTTP_SERVER_DIGEST_KEYS);
      expect(line).toMatchObject({
        'local.app': 'egg-sofa-bff',
        spanId: '0.1.1',
        'span.kind': 'server',
        'result.code': '200',
        method: 'GET',
        'req.size.bytes': 0,
        'resp.size.bytes': res.text.length,
        error: '',
        route: '/api/users/:id',
      });
      expect(line['request.url']).toMatch(/^http:\/\/127\.0\.0\.1(:\d+)?\/api\/users\/42$/);
    });

    it('continues a W3C trace (traceparent)', async () => {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const res = await get('/api/users/7', { ['traceparent']: `00-${traceId}-00f067aa0ba902b7-01` });
      expect(res.status).toBe(200);
      expect((res.body as { traceId: string }).traceId).toBe(traceId);
      await flush();
      const line = await waitForLine(EGG_DIGEST, (l) => l.traceId === traceId, 'the W3C line');
      expect(line.route).toBe('/api/users/:id');
    });

    it('egg-logger prints the SOFA trace id, with ctx and without ctx from async code', async () => {
      const traceId = '0b0fe9271567477985327100211177';
      const res = await get('/api/users/99', { ['X-B3-TraceId']: traceId, ['X-B3-SpanId']: '0.2' });
      expect(res.status).toBe(200);
      const log = webLogOf(app);
      const prefix = new RegExp(`\\[-/[^/]+/${traceId}/[\\d.]+ms GET /api/users/99\\]`);
      await until(
        () => linesOf(log).filter((l) => prefix.test(l)).length >= 2,
        `two web log lines with ${traceId}`,
      );
      const lines = linesOf(log).filter((l) => prefix.test(l));
      expect(lines.some((l) => l.endsWith('loading user 99'))).toBe(true);
      expect(lines.some((l) => l.endsWith('user 99 loaded without ctx'))).toBe(true);
    });

    it('ctx.curl: a client span child of the server span, trace headers on the wire', async () => {
      await expectCurlTraced(bff, '0c0fe9271567477985327100211178', '/proxy', '/echo');
    });

    it('app.curl (app.httpclient, no ctx) in a request: the same client span, app.tracer handed to urllib', async () => {
      await expectCurlTraced(bff, '0c0fe9271567477985327100211188', '/proxy-app', '/echo-app');
    });

    it('app.tracer: the ids of the span current where it is read, empty outside any span', async () => {
      const traceId = '0c0fe9271567477985327100211198';
      const res = await get('/app-tracer', { ['X-B3-TraceId']: traceId, ['X-B3-SpanId']: '0.3' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ctx: { traceId, spanId: '0.3.1' },
        app: { traceId, spanId: '0.3.1' },
        appTracerClass: 'SofaEggTracer',
        ctxTracerClass: 'SofaEggTracer',
        sameAppTracer: true,
      });
      const appTracer = app.tracer as { traceId: string; spanId: string };
      expect([appTracer.traceId, appTracer.spanId]).toEqual(['', '']);
    });

    it('a log written with app.logger (no ctx) after the response, from a timer and a promise, has the trace id', async () => {
      const traceId = '0b0fe9271567477985327100211199';
      const res = await get('/fire-and-forget', { ['X-B3-TraceId']: traceId, ['X-B3-SpanId']: '0.4' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ traceId });
      // egg-logger's context prefix, [$userId/$ip/$traceId/$use_ms $method $url]
      const prefix = new RegExp(`\\[-/[^/]+/${traceId}/[\\d.]+ms GET /fire-and-forget\\] `);
      const late = (what: string) => (l: string) =>
        prefix.test(l) && l.endsWith(`${what} (response sent: true)`);
      await until(
        () =>
          linesOf(webLogOf(app)).some(late('late timer log')) &&
          linesOf(webLogOf(app)).some(late('late promise log')),
        'the two late web log lines with the request trace id',
      );
    });

    it('records errors and passes the very same error object on to egg (onerror, app error event)', async () => {
      const thrown = app.thrown as unknown[];
      const seenErrors = app.seenErrors as unknown[];
      thrown.length = 0;
      seenErrors.length = 0;
      const res = await get('/boom', { ['X-B3-TraceId']: '0d0fe9271567477985327100211179' });
      expect(res.status).toBe(500);
      await flush();
      const line = await waitForLine(
        EGG_DIGEST,
        (l) => l.traceId === '0d0fe9271567477985327100211179',
        'the error line',
      );
      expect(line).toMatchObject({ 'result.code': '500', error: 'boom', route: '/boom' });
      expect(thrown).toHaveLength(1);
      expect(seenErrors[0]).toBe(thrown[0]);
    });

    it('an error swallowed by a route middleware, or a 500 set by hand: result code as sent, a failure in egg-stat.log', async () => {
      const swallowed = await get('/swallowed', { ['X-B3-TraceId']: '0d0fe927156747798532710021a001' });
      const fiveHundred = await get('/five-hundred', { ['X-B3-TraceId']: '0d0fe927156747798532710021a002' });
      const ok = await get('/api/users/3', { ['X-B3-TraceId']: '0d0fe927156747798532710021a003' });
      expect([swallowed.status, swallowed.text, fiveHundred.status, ok.status]).toEqual([
        503,
        'sorry',
        500,
        200,
      ]);
      await flush();
      const line503 = await waitForLine(
        EGG_DIGEST,
        (l) => l.traceId === '0d0fe927156747798532710021a001',
        'the swallowed line',
      );
      // nothing re-emitted the error: the status is all the tracer sees (as koa)
      expect(line503).toMatchObject({ 'result.code': '503', error: '', route: '/swallowed' });
      const line500 = await waitForLine(
        EGG_DIGEST,
        (l) => l.traceId === '0d0fe927156747798532710021a002',
        'the 500 line',
      );
      expect(line500).toMatchObject({ 'result.code': '500', error: '', route: '/five-hundred' });
      await waitForLine(EGG_DIGEST, (l) => l.traceId === '0d0fe927156747798532710021a003', 'the 200 line');
      // each span is in the stat aggregation once its digest line is out: print the rows now
      await bff.printStats();
      const stat = logs.file('egg-stat.log');
      const rowsOf = (route: string) => statRowsOf(stat).filter((r) => r['stat.key'].route === route);
      await until(() => rowsOf('/five-hundred').length > 0, 'the stat rows');
      for (const route of ['/swallowed', '/five-hundred'])
        expect(rowsOf(route).map((r) => [r.count, r.success])).toEqual([[1, 'N']]);
      expect(rowsOf('/api/users/:id').every((r) => r.success === 'Y')).toBe(true);
      expect(rowsOf('/api/users/:id').length).toBeGreaterThan(0);
    });

    it.each([
      ['/gone', 'ctx.throw(404)', 404, 'Not Found', '0d0fe927156747798532710021a004'],
      [
        '/teapot',
        "ctx.throw(418, 'short and stout')",
        418,
        'short and stout',
        '0d0fe927156747798532710021a005',
      ],
    ])(
      '%s (%s): the status egg answers and the message in egg-digest.log',
      async (route, _how, status, message, traceId) => {
        const res = await get(route, { ['X-B3-TraceId']: traceId });
        expect(res.status).toBe(status);
        await flush();
        const line = await waitForLine(EGG_DIGEST, (l) => l.traceId === traceId, 'the line');
        expect(line).toMatchObject({ 'result.code': String(status), error: message, route });
      },
    );

    it.each([
      ['a prefixed router (new Router({ prefix }))', '/api/v2/items/9', '/api/v2/items/:id', { id: '9' }],
      [
        'a router mounted at a parameterised path (router.use(path, sub.routes()))',
        '/api/v3/shops/s1/orders/o2',
        '/api/v3/shops/:shopId/orders/:orderId',
        { shopId: 's1', orderId: 'o2' },
      ],
    ])('%s: route is the full template', async (_name, path, template, params) => {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject(params);
      const { traceId } = res.body as { traceId: string };
      await flush();
      const line = await waitForLine(EGG_DIGEST, (l) => l.traceId === traceId, 'the line');
      expect(line).toMatchObject({ route: template, 'result.code': '200' });
    });

    it('UNMATCHED for requests no route matched; ignorePaths get no span', async () => {
      expect(
        (await get('/no/such/page', { ['X-B3-TraceId']: '0e0fe927156747798532710021117a' })).status,
      ).toBe(404);
      expect((await get('/health', { ['X-B3-TraceId']: '0f0fe927156747798532710021117b' })).status).toBe(200);
      await flush();
      const line = await waitForLine(
        EGG_DIGEST,
        (l) => l.traceId === '0e0fe927156747798532710021117a',
        'the 404 line',
      );
      expect(line).toMatchObject({ 'result.code': '404', route: 'UNMATCHED' });
      expect(digestOf(EGG_DIGEST).some((l) => l.traceId === '0f0fe927156747798532710021117b')).toBe(false);
    });

    it.each(HOSTILE_HEADER_CASES)(
      'hostile trace headers (%s): a new trace or a trimmed value, never an error',
      async (_name, lines) => {
        const raw = await rawGet(server.port, '/api/users/5', lines);
        expect(raw).toMatch(/^HTTP\/1\.1 200 /);
        const { traceId, spanId } = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as {
          traceId: string;
          spanId: string;
        };
        expect(traceId).toMatch(/^[0-9a-f]{16,32}$/);
        expect(spanId).toMatch(/^0(\.\d+)*$/);
        await flush();
        const line = await waitForLine(
          EGG_DIGEST,
          (l) => l.traceId === traceId && l.spanId === spanId,
          'the line',
        );
        expect(line).toMatchObject({ 'result.code': '200', route: '/api/users/:id' });
        // the bytes on disk, not a re-encoded parse: one line each, valid JSON, no raw break
        expectCleanRawLines(EGG_DIGEST, traceId);
        await until(() => activeHttpServerSpanCount() === 0, 'no open server span');
      },
    );

    // Hostile bytes no HTTP client library sends, written to the socket as UTF-8 (node's parser
    // hands them to the app as latin-1 characters, so U+0085 arrives as "\u00c2\u0085" and U+2028
    // as "\u00e2\u0080\u00a8": C1 controls a JSON encoder does not escape by itself). They go to
    // /proxy, so the server line, the client line and the headers sent downstream are all checked.
    // `continues`: the trace id the request may keep; any other hostile trace id starts a new trace.
    it.each<[string, string[], string | undefined]>([
      [
        'U+0085 / U+2028 in the SOFA ids',
        ['Host: 127.0.0.1', `X-B3-TraceId: ${JAVA_TRACE_ID}\u0085`, 'X-B3-SpanId: 0.1\u2028'],
        undefined,
      ],
      [
        'U+2028, U+0085, U+2029 in the Host header (request.url)',
        ['Host: 127.0.0.1\u2028\u0085x\u2029'],
        undefined,
      ],
      [
        'C1 controls and line separators in baggage and sftc_head',
        [
          'Host: 127.0.0.1',
          'X-B3-TraceId: 0a0fe927156747798532710021c1c1',
          'X-B3-SpanId: 0.1',
          'baggage: k=v\u0085w,k2=\u2028',
          'baggage-k1: v\u009bx',
          'sftc_head: tcid=0a0fe9271567477985327100219999\u0085&spid=0.1&_sys_k=\u2029',
        ],
        '0a0fe927156747798532710021c1c1',
      ],
      [
        'overlong Host and baggage values',
        ['Host: ' + 'h'.repeat(4000), 'baggage: k=' + 'v'.repeat(6000), 'X-B3-TraceId: ' + 'f'.repeat(65)],
        undefined,
      ],
      [
        'bad SOFA ids',
        [
          'Host: 127.0.0.1',
          'X-B3-TraceId: 0a0fe92715674779.85327100211176',
          'X-B3-SpanId: 0.-1.',
          'X-B3-ParentSpanId: ..',
          'X-B3-Sampled: maybe',
        ],
        undefined,
      ],
      [
        'U+2029 inside a traceparent',
        ['Host: 127.0.0.1', 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736\u2029-00f067aa0ba902b7-01'],
        undefined,
      ],
    ])(
      'hostile raw bytes (%s): line-safe JSON on disk, a valid trace id, clean headers downstream',
      async (_name, lines, continues) => {
        const to = encodeURIComponent(bff.backend.url + '/hostile');
        const res = await rawRequestBytes(server.port, '/proxy?to=' + to, lines);
        expect(res.status).toBe(200);
        const { traceId, spanId } = res.body as { traceId: string; spanId: string };
        expect(traceId).toMatch(/^[0-9a-f]{16,32}$/);
        expect(spanId).toMatch(/^0(\.\d+)*$/);
        if (continues !== undefined) expect(traceId).toBe(continues);
        else expect(lines.join('\n')).not.toContain(traceId); // a new trace, not a hostile id trimmed
        await flush();
        await waitForLine(EGG_DIGEST, (l) => l.traceId === traceId && l.spanId === spanId, 'the server line');
        await waitForLine(
          logs.file('httpclient-digest.log'),
          (l) => l.traceId === traceId,
          'the client line',
        );
        const [serverLine] = expectCleanRawLines(EGG_DIGEST, traceId).filter((l) => l.spanId === spanId);
        expect(serverLine).toMatchObject({ 'result.code': '200', route: '/proxy' });
        expect(String(serverLine!['request.url']).length).toBeLessThanOrEqual(2048);
        expectCleanRawLines(logs.file('httpclient-digest.log'), traceId);
        expectSanitisedOutgoing(bff.backend.seen.filter((h) => h['x-b3-traceid'] === traceId));
        expect(bff.backend.seen.some((h) => h['x-b3-traceid'] === traceId)).toBe(true);
      },
    );

    it('each schedule run is a root span in biz-digest.log, and its logs carry that trace id', async () => {
      app.scheduleRuns = [];
      await app.runSchedule('report');
      const [run] = app.scheduleRuns as { traceId: string; spanId: string; appTraceId: string }[];
      expect(run!.spanId).toBe('0');
      expect(run!.appTraceId).toBe(run!.traceId); // app.tracer read inside the run
      expect(run!.traceId).toMatch(/^[0-9a-f]{16,32}$/);
      await flush();
      const line = await waitForLine(
        logs.file('biz-digest.log'),
        (l) => l.traceId === run!.traceId,
        'the schedule line',
      );
      expect(line).toMatchObject({ spanId: '0', method: 'report', 'result.code': '00', error: '' });
      await until(
        () =>
          linesOf(webLogOf(app)).some(
            (l) => l.includes(`/${run!.traceId}/`) && l.endsWith('report schedule ran'),
          ),
        'the schedule log line',
      );
    });

    it('a failing schedule run: result code 99 with the message in biz-digest.log, the very error to egg-schedule', async () => {
      app.scheduleRuns = [];
      app.scheduleErrors = [];
      let rejected: unknown;
      await app.runSchedule('fail').catch((err: unknown) => (rejected = err));
      const [thrown] = app.scheduleErrors as Error[];
      expect(thrown).toBeInstanceOf(Error);
      expect(rejected).toBe(thrown);
      const [run] = app.scheduleRuns as { traceId: string; spanId: string }[];
      await flush();
      const line = await waitForLine(
        logs.file('biz-digest.log'),
        (l) => l.traceId === run!.traceId,
        'the failed schedule line',
      );
      expect(line).toMatchObject({
        spanId: '0',
        'span.kind': 'internal',
        method: 'fail',
        'result.code': '99',
        error: 'report backend unreachable',
      });
      await until(
        () =>
          linesOf(webLogOf(app)).some(
            (l) => l.includes(`/${run!.traceId}/`) && l.endsWith('failing schedule ran'),
          ),
        'the failed schedule log line',
      );
    });
  });

  describe(`@sofa-tracer/egg on ${major}: start-up`, () => {
    it('invalid config.sofaTracer fails start-up with an error naming the option', async () => {
      const { mm, framework } = loadEgg(major);
      const dirs = tracerLogRoot();
      process.env.EGG_SOFA_TEST_DIR = dirs.dir;
      const app = mm.app({ baseDir: join(FIXTURES, 'bad-config'), framework, cache: false });
      try {
        await expect(app.ready()).rejects.toThrow(
          /invalid samplerPercentage: 250; accepted: a number from 0 to 100/,
        );
      } finally {
        await app.close();
        await mm.restore();
        delete process.env.EGG_SOFA_TEST_DIR;
        dirs.cleanup();
      }
    });
  });
}
