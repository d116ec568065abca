// The behaviour every supported egg major must show, run against one real fixture app (booted
// once per test file: egg boots are slow) on egg-mock's real HTTP server.
import { join } from 'node:path';
import { activeHttpServerSpanCount } from '@sofa-tracer/core';
import { HOSTILE_HEADER_CASES, JAVA_TRACE_ID, rawGet } from '../../../test/support/hostile-headers';
import { HTTP_SERVER_DIGEST_KEYS } from '../../../test/support/plugin-fixtures';
import {
  bootBff,
  digestOf,
  FIXTURES,
  linesOf,
  loadEgg,
  rawRequest,
  tracerLogRoot,
  until,
  waitForLine,
  webLogOf,
  type BootedBff,
  type EggMajor,
  type MockApp,
} from './egg-env';

/**
 * `GET <route>?to=<backend><path>` with a Java caller's headers (span 0.1): the fixture's handler
 * calls the backend with egg's httpclient; the call is client span 0.1.1.1, child of the server
 * span 0.1.1, with one set of trace headers on the wire and a line in httpclient-digest.log.
 */
export async function expectCurlTraced(
  bff: BootedBff,
  traceId: string,
  route: string,
  path: string,
): Promise<void> {
  const { server, backend, logs } = bff;
  const res = await rawRequest(
    server.port,
    route + '?to=' + encodeURIComponent(backend.url + path + '?q=1'),
    {
      'X-B3-TraceId': traceId,
      'X-B3-SpanId': '0.1',
    },
  );
  expect(res.status).toBe(200);
  const seen = (res.body as { seen: Record<string, string> }).seen;
  expect(seen['x-b3-traceid']).toBe(traceId); // one value: not the caller's plus ours
  expect(seen['x-b3-spanid']).toBe('0.1.1.1');
  expect(seen['x-b3-parentspanid']).toBe('0.1.1');
  expect(seen.traceparent).toMatch(new RegExp(`^00-${traceId.padStart(32, '0')}-[0-9a-f]{16}-01$`));
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
      const traceId = '0c0fe9271567477985327100211178';
      await expectCurlTraced(bff, traceId, '/proxy', '/echo');
      const server = await waitForLine(EGG_DIGEST, (l) => l.traceId === traceId, 'the server line');
      expect(server).toMatchObject({ spanId: '0.1.1', route: '/proxy' });
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
        // eslint-disable-next-line no-control-regex -- looking for exactly these characters
        expect(JSON.stringify(line)).not.toMatch(/[\r\n\u0000]/);
        await until(() => activeHttpServerSpanCount() === 0, 'no open server span');
      },
    );

    it('each schedule run is a root span in biz-digest.log, and its logs carry that trace id', async () => {
      app.scheduleRuns = [];
      await app.runSchedule('report');
      const [run] = app.scheduleRuns as { traceId: string; spanId: string }[];
      expect(run!.spanId).toBe('0');
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
