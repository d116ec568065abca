import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { activeHttpServerSpanCount, type ReadableSpan } from '@sofa-tracer/core';
import { sofaTracer as expressSofaTracer } from '@sofa-tracer/express';
import { sofaTracer as fastifySofaTracer } from '@sofa-tracer/fastify';
import { instrumentHttpClients } from '@sofa-tracer/http-client';
import {
  HTTP_SERVER_DIGEST_KEYS,
  listen,
  makeTracer,
  until,
  type TestTracer,
} from '../../../../test/support/plugin-fixtures';
import { SofaTracerModule } from '../../src';
import {
  ConfigModule,
  TracingConfig,
  appModule,
  downstream,
  featureModule,
  globalAppModule,
  seen,
} from './apps';
import { loadPlatform, type NestVersion, type Platform } from './nest-version';
import { nestTwoServices } from './two-services';

const DIGEST = 'nest-digest.log';

/** Every HTTP server plugin's digest keys, with `handler` right after `route`. */
const NEST_DIGEST_KEYS = [...HTTP_SERVER_DIGEST_KEYS];
NEST_DIGEST_KEYS.splice(NEST_DIGEST_KEYS.indexOf('route') + 1, 0, 'handler');

interface NestAppLike {
  setGlobalPrefix(p: string): unknown;
  enableVersioning(o: unknown): unknown;
  listen(port: number, host: string): Promise<unknown>;
  getUrl(): Promise<string>;
  getHttpServer(): Server;
  use(...args: unknown[]): unknown;
  register(plugin: unknown, options: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** Starts a real Nest app on `platform`, port 0, with prefix `api` and URI versioning (v1). */
export async function startApp(
  version: NestVersion,
  platform: Platform,
  module: unknown,
  pkg: Record<string, unknown> = loadPlatform(version, platform),
  prepare?: (app: NestAppLike) => Promise<void> | void,
): Promise<{ app: NestAppLike; url: string }> {
  const Adapter = (platform === 'express' ? pkg.ExpressAdapter : pkg.FastifyAdapter) as new () => unknown;
  const app = (await NestFactory.create(module as never, new Adapter() as never, {
    logger: false,
    // a module that fails to resolve throws here instead of exiting the test process
    abortOnError: false,
  })) as unknown as NestAppLike;
  app.setGlobalPrefix('api');
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  if (prepare !== undefined) await prepare(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  return { app, url };
}

/** The tests every (Nest major × platform) combination runs. */
export function defineSuite(version: NestVersion, platform: Platform): void {
  describe(`Nest ${version.slice(4)} on ${platform}`, () => {
    let t: TestTracer;
    let app: NestAppLike;
    let base: string;

    beforeAll(async () => {
      t = makeTracer('nest-app');
      const tracing = SofaTracerModule.forRoot({ tracer: t.tracer });
      ({ app, url: base } = await startApp(
        version,
        platform,
        appModule(tracing, featureModule({ tracer: t.tracer })),
      ));
    });

    afterAll(async () => {
      // keep-alive sockets of the test client would hold server.close() open
      app.getHttpServer().closeAllConnections();
      await app.close();
      await t.close();
    });

    beforeEach(() => {
      t.spans.length = 0;
      seen.thrown.length = 0;
      seen.caught.length = 0;
      seen.guardHandlers.length = 0;
      seen.middlewareSpans.length = 0;
    });

    async function call(
      path: string,
      init: RequestInit = {},
    ): Promise<{ status: number; body: string; headers: Headers }> {
      const res = await fetch(base + path, init);
      return { status: res.status, body: await res.text(), headers: res.headers };
    }

    async function serverSpan(): Promise<ReadableSpan> {
      await until(() => t.spans.some((s) => s.logType === 'nest'), 'the server span');
      return t.spans.find((s) => s.logType === 'nest')!;
    }

    async function digestOf(span: ReadableSpan): Promise<Record<string, unknown>> {
      const lines = await t.rawDigest(DIGEST);
      const line = lines.find(
        (l) => l.includes(`"spanId":"${span.context().spanId}"`) && l.includes(span.context().traceId),
      );
      if (line === undefined) throw new Error('no digest line for ' + span.context().spanId);
      return JSON.parse(line) as Record<string, unknown>;
    }

    it('continues a SOFA B3 trace: one nest-digest line, express fields in order + route template + handler', async () => {
      const r = await call('/api/v1/users/42?token=x', {
        headers: {
          'X-B3-TraceId': '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
          'X-B3-SpanId': '0.1',
          'X-B3-ParentSpanId': '0',
          'X-B3-Sampled': '1',
        },
      });
      expect(r.status).toBe(200);
      const d = await digestOf(await serverSpan());
      expect(Object.keys(d)).toEqual(NEST_DIGEST_KEYS);
      expect(d).toMatchObject({
        'local.app': 'nest-app',
        traceId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
        spanId: '0.1.1',
        'span.kind': 'server',
        'result.code': '200',
        'request.url': base + '/api/v1/users/42',
        method: 'GET',
        error: '',
        route: '/api/v1/users/:id',
        handler: 'UsersController.findOne',
      });
      // the interceptor and the handler saw the request span as current
      expect(r.headers.get('x-trace-id')).toBe('0a1b2c3d4e5f60718293a4b5c6d7e8f9');
      expect(JSON.parse(r.body)).toMatchObject({
        traceId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
        spanId: '0.1.1.2',
      });
    });

    it('continues a W3C trace and keys nest-stat.log by app, route template and method', async () => {
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      expect((await call('/api/v1/users/7', { headers: { traceparent } })).status).toBe(200);
      const span = await serverSpan();
      expect(span.context().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(span.tags.route).toBe('/api/v1/users/:id');
      expect((await call('/api/v1/users/8')).status).toBe(200);
      await until(() => t.spans.filter((s) => s.logType === 'nest').length >= 2, 'two spans');
      t.tracer.printStats();
      await t.tracer.flush();
      const stat = readFileSync(join(t.dir, 'tracelog', 'nest-stat.log'), 'utf8')
        .split(/\r?\n/)
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { 'stat.key': Record<string, string>; count: number; success: string });
      const users = stat.filter((l) => l['stat.key'].route === '/api/v1/users/:id');
      expect(users).toHaveLength(1);
      expect(users[0]).toMatchObject({
        'stat.key': { 'local.app': 'nest-app', route: '/api/v1/users/:id', method: 'GET' },
        success: 'Y',
      });
      expect(users[0]!.count).toBeGreaterThanOrEqual(2);
    });

    it('writes @Traced business spans as children of the request span in biz-digest.log', async () => {
      const r = await call('/api/v1/users/5');
      expect(r.status).toBe(200);
      await until(
        () =>
          t.spans.filter((s) => s.logType === 'biz').length >= 2 && t.spans.some((s) => s.logType === 'nest'),
        'spans',
      );
      const server = t.spans.find((s) => s.logType === 'nest')!;
      const biz = await t.digest('biz-digest.log');
      const mine = biz.filter((l) => l.traceId === server.context().traceId);
      expect(mine.map((l) => [l.method, l.spanId, l['result.code']]).sort()).toEqual(
        [
          ['AuditService.record', server.context().spanId + '.1', '00'],
          ['UsersService.load', server.context().spanId + '.2', '00'],
        ].sort(),
      );
    });

    it('keeps the active span through a JSON body (POST) and names custom @Traced spans', async () => {
      const r = await call('/api/v1/users', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'X-B3-TraceId': 'abcdef0123456789',
          'X-B3-SpanId': '0.3',
        },
        body: JSON.stringify({ name: 'ann' }),
      });
      expect(r.status).toBe(201);
      expect(JSON.parse(r.body)).toMatchObject({ received: { name: 'ann' }, spanId: '0.3.1' });
      await until(() => t.spans.some((s) => s.operationName === 'users.save'), 'biz span');
      const save = t.spans.find((s) => s.operationName === 'users.save')!;
      expect(save.context().spanId).toBe('0.3.1.1');
      expect(save.tags.store).toBe('memory');
      const d = await digestOf(await serverSpan());
      expect(d).toMatchObject({
        'result.code': '201',
        route: '/api/v1/users',
        handler: 'UsersController.create',
        'req.size.bytes': 14,
      });
    });

    it('traces a guard rejection (403) with route, handler and the HttpException message', async () => {
      const r = await call('/api/v1/admin');
      expect(r.status).toBe(403);
      const d = await digestOf(await serverSpan());
      expect(d).toMatchObject({
        'result.code': '403',
        route: '/api/v1/admin',
        handler: 'AdminController.panel',
        error: 'Forbidden resource',
      });
    });

    it('@Traced keeps @Get, @UseGuards and metadata working in both decorator orders', async () => {
      expect((await call('/api/v1/admin', { headers: { 'x-allow': 'yes' } })).body).toBe('panel');
      expect((await call('/api/v1/admin/reports', { headers: { 'x-allow': 'yes' } })).body).toBe('reports');
      expect((await call('/api/v1/admin/reports')).status).toBe(403);
      expect(seen.guardHandlers).toEqual(['panel:admin', 'reports:auditor', 'reports:auditor']);
      await until(() => t.spans.filter((s) => s.logType === 'biz').length >= 2, 'biz spans');
      expect(
        t.spans
          .filter((s) => s.logType === 'biz')
          .map((s) => s.operationName)
          .sort(),
      ).toEqual(['AdminController.panel', 'AdminController.reports']);
    });

    it('traces a pipe validation error (400) and an HttpException thrown by the handler (404)', async () => {
      expect((await call('/api/v1/users/abc')).status).toBe(400);
      let d = await digestOf(await serverSpan());
      expect(d).toMatchObject({
        'result.code': '400',
        route: '/api/v1/users/:id',
        handler: 'UsersController.findOne',
      });
      expect(d.error).toMatch(/numeric string is expected/);
      t.spans.length = 0;
      expect((await call('/api/v1/users/9/missing')).status).toBe(404);
      d = await digestOf(await serverSpan());
      expect(d).toMatchObject({
        'result.code': '404',
        route: '/api/v1/users/:id/missing',
        error: 'user 9 not found',
      });
    });

    it('joins the messages of a validation-style HttpException (ValidationPipe) in the error field', async () => {
      const r = await call('/api/v1/users/validate/body');
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body).message).toEqual(['name must be a string', 'age must not be less than 0']);
      const d = await digestOf(await serverSpan());
      expect(d).toMatchObject({
        'result.code': '400',
        error: 'name must be a string; age must not be less than 0',
      });
    });

    it('records any other error as 500 with its message', async () => {
      expect((await call('/api/v1/users/crash/disk')).status).toBe(500);
      const d = await digestOf(await serverSpan());
      expect(d).toMatchObject({
        'result.code': '500',
        route: '/api/v1/users/crash/:reason',
        error: 'crash disk',
      });
    });

    it('hands the original error object to exception filters and records the status they send', async () => {
      const r = await call('/api/v1/users/filtered/x');
      expect(r).toMatchObject({ status: 502, body: 'filtered' });
      expect(seen.caught).toHaveLength(1);
      expect(seen.caught[0]).toBe(seen.thrown[0]);
      const d = await digestOf(await serverSpan());
      expect(d).toMatchObject({
        'result.code': '502',
        error: 'filtered x',
        handler: 'UsersController.filtered',
      });
    });

    it('traces Nest middleware errors with their real status', async () => {
      expect((await call('/api/v1/mw')).status).toBe(500);
      const d = await digestOf(await serverSpan());
      expect(d).toMatchObject({ 'result.code': '500', error: 'middleware failed', method: 'GET' });
    });

    it('traces unmatched routes as 404 UNMATCHED, without a handler', async () => {
      expect((await call('/nope/123')).status).toBe(404);
      const d = await digestOf(await serverSpan());
      expect(d).toMatchObject({ 'result.code': '404', route: 'UNMATCHED', handler: '' });
    });

    it('records a failing @Traced class method as 99 in biz-digest.log and 500 on the request', async () => {
      expect((await call('/api/v1/users/audit/fail')).status).toBe(500);
      await until(() => t.spans.some((s) => s.operationName === 'AuditService.fail'), 'biz span');
      const biz = (await t.digest('biz-digest.log')).find((l) => l.method === 'AuditService.fail')!;
      expect(biz).toMatchObject({ 'result.code': '99', error: 'audit down' });
      expect((await digestOf(await serverSpan())).error).toBe('audit down');
    });

    it('traces request-scoped controllers (module imported twice: still one span per request)', async () => {
      const r = await call('/api/v1/scoped/3', {
        headers: { 'X-B3-TraceId': '1234567890abcdef', 'X-B3-SpanId': '0.2' },
      });
      expect(JSON.parse(r.body)).toEqual({ n: '3', traceId: '1234567890abcdef', counter: true });
      const d = await digestOf(await serverSpan());
      expect(d).toMatchObject({
        spanId: '0.2.1',
        route: '/api/v1/scoped/:n',
        handler: 'ScopedController.get',
      });
      await t.tracer.flush();
      expect(t.spans.filter((s) => s.logType === 'nest')).toHaveLength(1);
      expect((await t.rawDigest(DIGEST)).filter((l) => l.includes('1234567890abcdef'))).toHaveLength(1);
    });

    it('makes an outgoing fetch a child of the request span', async () => {
      let seenHeaders: Record<string, unknown> = {};
      const down: Server = createServer((req, res) => {
        seenHeaders = req.headers;
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":true}');
      });
      const d = await listen(down);
      downstream.url = d.url + '/down';
      const uninstall = instrumentHttpClients({ tracer: t.tracer, requireParent: true });
      try {
        const r = await call('/api/v1/fetch', {
          headers: { 'X-B3-TraceId': 'fedcba9876543210', 'X-B3-SpanId': '0.4' },
        });
        expect(r).toMatchObject({ status: 200, body: '{"ok":true}' });
        expect(seenHeaders['x-b3-traceid']).toBe('fedcba9876543210');
        expect(seenHeaders['x-b3-spanid']).toBe('0.4.1.1');
        await until(() => t.spans.some((s) => s.logType === 'httpclient'), 'client span');
        expect(t.spans.find((s) => s.logType === 'httpclient')!.context().spanId).toBe('0.4.1.1');
      } finally {
        uninstall();
        await d.close();
      }
    });

    it('leaves no span open after many requests, errors and client aborts', async () => {
      const before = activeHttpServerSpanCount();
      const paths = [
        '/api/v1/users/1',
        '/api/v1/users/x',
        '/api/v1/admin',
        '/api/v1/users/crash/a',
        '/nope',
        '/api/v1/mw',
      ];
      for (let round = 0; round < 5; round++) await Promise.all(paths.map((p) => call(p)));
      // clients that give up before the handler answers
      await Promise.all(
        [1, 2, 3].map(async () => {
          const ac = new AbortController();
          const pending = fetch(base + '/api/v1/users/slow/reply', { signal: ac.signal }).catch(
            (e: unknown) => e,
          );
          await new Promise((r) => setTimeout(r, 50));
          ac.abort();
          expect(await pending).toMatchObject({ name: 'AbortError' });
        }),
      );
      await until(() => activeHttpServerSpanCount() === before, 'every span finished');
      await until(() => t.spans.filter((s) => s.logType === 'nest').length === 33, '33 spans');
      const aborted = t.spans.filter((s) => s.tags.route === '/api/v1/users/slow/reply');
      expect(aborted.map((s) => s.resultCode)).toEqual(['499', '499', '499']);
    });

    it('TracerService in a controller: trace() child span current in fn, startSpan() child not current, ids over HTTP and in biz-digest.log', async () => {
      const r = await call('/api/v1/manual/trace', {
        headers: { 'X-B3-TraceId': 'a1b2c3d4e5f60718', 'X-B3-SpanId': '0.5' },
      });
      expect(r.status).toBe(200);
      // the request span is 0.5.1; trace() opens 0.5.1.1, startSpan() 0.5.1.2 (both its children)
      expect(JSON.parse(r.body)).toEqual({
        request: '0.5.1',
        inner: { activeIsSpan: true, spanId: '0.5.1.1', traceId: 'a1b2c3d4e5f60718' },
        manual: '0.5.1.2',
        activeDuringManual: '0.5.1',
        after: true,
      });
      const d = await digestOf(await serverSpan());
      expect(d).toMatchObject({
        traceId: 'a1b2c3d4e5f60718',
        spanId: '0.5.1',
        'result.code': '200',
        route: '/api/v1/manual/trace',
        handler: 'ManualController.trace',
      });
      await until(() => t.spans.filter((s) => s.logType === 'biz').length >= 2, 'biz spans');
      const biz = (await t.digest('biz-digest.log')).filter((l) => l.traceId === 'a1b2c3d4e5f60718');
      expect(biz.map((l) => [l.method, l.spanId, l['span.kind'], l['result.code'], l.error]).sort()).toEqual(
        [
          ['orders.compute', '0.5.1.1', 'internal', '00', ''],
          ['manual.step', '0.5.1.2', 'internal', '', ''],
        ].sort(),
      );
      const compute = t.spans.find((s) => s.operationName === 'orders.compute')!;
      expect(compute.tags['order.id']).toBe('42');
      expect(t.spans.find((s) => s.operationName === 'manual.step')!.tags.step).toBe('one');
    });

    it('TracerService.trace() rejecting: 99 + message in biz-digest.log, 500 + message on the request', async () => {
      const r = await call('/api/v1/manual/trace/fail', {
        headers: { 'X-B3-TraceId': 'b1b2c3d4e5f60718', 'X-B3-SpanId': '0.9' },
      });
      expect(r.status).toBe(500);
      await until(() => t.spans.some((s) => s.operationName === 'orders.fail'), 'biz span');
      const biz = (await t.digest('biz-digest.log')).filter((l) => l.traceId === 'b1b2c3d4e5f60718');
      expect(biz).toEqual([
        expect.objectContaining({
          method: 'orders.fail',
          spanId: '0.9.1.1',
          'result.code': '99',
          error: 'compute failed',
        }),
      ]);
      expect(await digestOf(await serverSpan())).toMatchObject({
        'result.code': '500',
        error: 'compute failed',
        handler: 'ManualController.traceFail',
      });
    });

    it('class-level @Traced() on a controller: every method traced, @Get/@UseGuards/@SetMetadata/pipes still work', async () => {
      const headers = { 'x-allow': 'yes', 'X-B3-TraceId': 'c1b2c3d4e5f60718', 'X-B3-SpanId': '0.2' };
      const one = await call('/api/v1/reports/3', { headers });
      expect(one.status).toBe(200);
      // the handler runs inside its own business span, a child of the request span
      expect(JSON.parse(one.body)).toEqual({ id: 3, spanId: '0.2.1.1' });
      expect(seen.guardHandlers).toEqual(['one:reader']);
      expect(await digestOf(await serverSpan())).toMatchObject({
        route: '/api/v1/reports/:id',
        handler: 'ReportsController.one',
        'result.code': '200',
      });
      // the guard still rejects, the pipe still validates: the method is never called
      expect((await call('/api/v1/reports/3')).status).toBe(403);
      expect((await call('/api/v1/reports/abc', { headers: { 'x-allow': 'yes' } })).status).toBe(400);
      expect(seen.guardHandlers).toEqual(['one:reader', 'one:reader', 'one:reader']);
      expect(await call('/api/v1/reports')).toMatchObject({ status: 200, body: 'list' });
      const created = await call('/api/v1/reports', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'q3' }),
      });
      expect(created.status).toBe(201);
      expect(JSON.parse(created.body).created).toEqual({ title: 'q3' });
      await until(() => t.spans.filter((s) => s.logType === 'nest').length >= 5, 'five requests');
      const biz = await t.digest('biz-digest.log');
      const reports = biz.filter((l) => String(l.method).startsWith('ReportsController.'));
      expect(reports.map((l) => l.method).sort()).toEqual([
        'ReportsController.create',
        'ReportsController.list',
        'ReportsController.one',
      ]);
      expect(reports.find((l) => l.method === 'ReportsController.one')).toMatchObject({
        traceId: 'c1b2c3d4e5f60718',
        spanId: '0.2.1.1',
        'result.code': '00',
      });
    });

    it('keeps the trace context when a POST body arrives late, in chunks: the call the handler makes is a child', async () => {
      const before = activeHttpServerSpanCount();
      const { port } = new URL(base);
      const body = JSON.stringify({ name: 'late', items: [1, 2, 3] });
      const pieces = [body.slice(0, 5), body.slice(5, 17), body.slice(17)];
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: Number(port),
            method: 'POST',
            path: '/api/v1/users',
            headers: {
              'content-type': 'application/json',
              'transfer-encoding': 'chunked',
              'X-B3-TraceId': 'd1b2c3d4e5f60718',
              'X-B3-SpanId': '0.6',
            },
          },
          (response) => {
            let text = '';
            response.setEncoding('utf8');
            response.on('data', (c: string) => (text += c));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
            response.on('error', reject);
          },
        );
        req.on('error', reject);
        req.flushHeaders();
        req.write(pieces[0]);
        // the rest only once the server has started the request's span (headers read, body pending)
        until(() => activeHttpServerSpanCount() > before, 'the request span to start')
          .then(() => new Promise((r) => setTimeout(r, 30)))
          .then(() => {
            req.write(pieces[1]);
            return new Promise((r) => setTimeout(r, 30));
          })
          .then(() => req.end(pieces[2]))
          .catch(reject);
      });
      expect(res.status).toBe(201);
      expect(JSON.parse(res.body)).toEqual({
        received: { name: 'late', items: [1, 2, 3] },
        spanId: '0.6.1',
      });
      await until(() => t.spans.some((s) => s.operationName === 'users.save'), 'biz span');
      const biz = (await t.digest('biz-digest.log')).filter((l) => l.traceId === 'd1b2c3d4e5f60718');
      expect(biz.map((l) => [l.method, l.spanId])).toEqual([['users.save', '0.6.1.1']]);
      expect(await digestOf(await serverSpan())).toMatchObject({
        spanId: '0.6.1',
        'result.code': '201',
        handler: 'UsersController.create',
        'req.size.bytes': Buffer.byteLength(body),
      });
    });

    it('makes the server span current inside Nest middleware (MiddlewareConsumer.apply), before and after an async step', async () => {
      const r = await call('/api/v1/mw-span', {
        headers: { 'X-B3-TraceId': 'e1b2c3d4e5f60718', 'X-B3-SpanId': '0.7' },
      });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ spanId: '0.7.1' });
      expect(seen.middlewareSpans).toEqual(['0.7.1', '0.7.1']);
      expect(await digestOf(await serverSpan())).toMatchObject({
        traceId: 'e1b2c3d4e5f60718',
        spanId: '0.7.1',
        handler: 'MiddlewareSpanController.get',
      });
    });

    it('records a guard UnauthorizedException as 401 with its message, route and handler', async () => {
      expect(await call('/api/v1/checks/secure', { headers: { authorization: 'Bearer x' } })).toMatchObject({
        status: 200,
        body: 'secret',
      });
      t.spans.length = 0;
      const r = await call('/api/v1/checks/secure');
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({ statusCode: 401, message: 'token missing' });
      expect(await digestOf(await serverSpan())).toMatchObject({
        'result.code': '401',
        error: 'token missing',
        route: '/api/v1/checks/secure',
        handler: 'ChecksController.secure',
      });
    });

    it('records an interceptor that throws (sync and async) as 500 with its message, route and handler', async () => {
      expect((await call('/api/v1/checks/intercepted')).status).toBe(500);
      expect(await digestOf(await serverSpan())).toMatchObject({
        'result.code': '500',
        error: 'interceptor broke',
        route: '/api/v1/checks/intercepted',
        handler: 'ChecksController.intercepted',
      });
      t.spans.length = 0;
      expect((await call('/api/v1/checks/intercepted/async')).status).toBe(500);
      expect(await digestOf(await serverSpan())).toMatchObject({
        'result.code': '500',
        error: 'interceptor rejected',
        route: '/api/v1/checks/intercepted/async',
        handler: 'ChecksController.interceptedAsync',
      });
    });

    it('records custom pipes rejecting a param and a body as 400 with their messages', async () => {
      expect(await call('/api/v1/checks/qty/3')).toMatchObject({ status: 200, body: '{"qty":3}' });
      t.spans.length = 0;
      expect((await call('/api/v1/checks/qty/0')).status).toBe(400);
      expect(await digestOf(await serverSpan())).toMatchObject({
        'result.code': '400',
        error: 'qty must be a positive integer, got 0',
        route: '/api/v1/checks/qty/:qty',
        handler: 'ChecksController.qty',
      });
      t.spans.length = 0;
      const r = await call('/api/v1/checks/orders', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ age: -1 }),
      });
      expect(r.status).toBe(400);
      expect(await digestOf(await serverSpan())).toMatchObject({
        'result.code': '400',
        error: 'name must be a string; age must not be less than 0',
        route: '/api/v1/checks/orders',
        handler: 'ChecksController.order',
      });
    });
  });

  describe(`Nest ${version.slice(4)} on ${platform}: Nest gateway → Nest backend`, () => {
    nestTwoServices(version, platform);
  });

  describe(`Nest ${version.slice(4)} on ${platform}: the ${platform} plugin mounted as well`, () => {
    it('still writes one span per request, in nest-digest.log', async () => {
      const t = makeTracer('both-app');
      const { app, url } = await startApp(
        version,
        platform,
        appModule(SofaTracerModule.forRoot({ tracer: t.tracer })),
        undefined,
        async (nestApp) => {
          if (platform === 'express') nestApp.use(expressSofaTracer({ tracer: t.tracer }));
          else await nestApp.register(fastifySofaTracer, { tracer: t.tracer });
        },
      );
      try {
        expect((await fetch(url + '/api/v1/users/5')).status).toBe(200);
        await until(() => t.spans.length >= 3, 'spans');
        await t.tracer.flush();
        expect(t.spans.filter((s) => s.kind === 'server').map((s) => [s.logType, s.tags.handler])).toEqual([
          ['nest', 'UsersController.findOne'],
        ]);
        expect(await t.rawDigest(`${platform}-digest.log`)).toEqual([]);
      } finally {
        app.getHttpServer().closeAllConnections();
        await app.close();
        await t.close();
      }
    });
  });

  describe(`Nest ${version.slice(4)} on ${platform}: shutdown`, () => {
    it('app.close() flushes the finished spans to disk', async () => {
      const t = makeTracer('flush-app');
      const { app, url } = await startApp(
        version,
        platform,
        appModule(SofaTracerModule.forRoot({ tracer: t.tracer })),
      );
      try {
        expect((await fetch(url + '/api/v1/users/4')).status).toBe(200);
        await until(() => t.spans.some((s) => s.logType === 'nest'), 'span');
        app.getHttpServer().closeAllConnections();
        await app.close();
        // read without flushing: what app.close() left on disk
        const file = join(t.dir, 'tracelog', DIGEST);
        expect(readFileSync(file, 'utf8')).toContain('"route":"/api/v1/users/:id"');
      } finally {
        await t.close();
      }
    });
  });

  describe(`Nest ${version.slice(4)} on ${platform}: global module`, () => {
    it('a feature module without SofaTracerModule injects TracerService; forRoot in two modules still gives one span per request', async () => {
      const t = makeTracer('global-app');
      const { app, url } = await startApp(
        version,
        platform,
        globalAppModule(SofaTracerModule.forRoot({ tracer: t.tracer }), featureModule({ tracer: t.tracer })),
      );
      try {
        const res = await fetch(url + '/api/v1/greeting', {
          headers: { 'X-B3-TraceId': 'f1b2c3d4e5f60718', 'X-B3-SpanId': '0.3' },
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ traceId: 'f1b2c3d4e5f60718', spanId: '0.3.1.1' });
        // the feature module that imports SofaTracerModule again serves too, on the same single span
        expect((await fetch(url + '/api/v1/scoped/1')).status).toBe(200);
        await until(() => t.spans.filter((s) => s.logType === 'nest').length >= 2, 'two server spans');
        const digest = await t.digest(DIGEST);
        expect(digest.map((l) => [l.handler, l['result.code']])).toEqual([
          ['GreetingController.get', '200'],
          ['ScopedController.get', '200'],
        ]);
        expect(digest[0]).toMatchObject({ traceId: 'f1b2c3d4e5f60718', spanId: '0.3.1' });
        const biz = (await t.digest('biz-digest.log')).filter((l) => l.traceId === 'f1b2c3d4e5f60718');
        expect(biz.map((l) => [l.method, l.spanId])).toEqual([['GreetingService.greet', '0.3.1.1']]);
        expect(t.spans.filter((s) => s.kind === 'server')).toHaveLength(2);
      } finally {
        app.getHttpServer().closeAllConnections();
        await app.close();
        await t.close();
      }
    });
  });

  describe(`Nest ${version.slice(4)} on ${platform}: forRootAsync`, () => {
    it('takes the options from an async factory with injected providers', async () => {
      const t = makeTracer('unused-name');
      const tracing = SofaTracerModule.forRootAsync({
        imports: [ConfigModule],
        inject: [TracingConfig],
        useFactory: async (cfg: TracingConfig) => ({
          tracer: t.tracer,
          ignorePaths: ['/api/v1/admin'],
          customTags: () => ({ app: cfg.appName }),
        }),
      });
      const { app, url } = await startApp(version, platform, appModule(tracing));
      try {
        expect((await fetch(url + '/api/v1/admin')).status).toBe(403); // ignored: no span
        expect((await fetch(url + '/api/v1/users/1')).status).toBe(200);
        await until(() => t.spans.some((s) => s.logType === 'nest'), 'span');
        const spans = t.spans.filter((s) => s.logType === 'nest');
        expect(spans).toHaveLength(1);
        expect(spans[0]!.tags).toMatchObject({
          route: '/api/v1/users/:id',
          handler: 'UsersController.findOne',
          app: 'async-app',
        });
      } finally {
        await app.close();
        await t.close();
      }
    });
  });
}
