import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
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
import { ConfigModule, TracingConfig, appModule, downstream, featureModule, seen } from './apps';
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
