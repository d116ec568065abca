// egg 3 with `httpclient.useHttpClientNext`: ctx.curl runs on urllib 3 over undici (egg 3's
// default is urllib 2 over node:http, covered by egg3.test.ts) — traced through undici's
// diagnostics channels.
import { join } from 'node:path';
import { eggTracerState } from '@sofa-tracer/egg';
import {
  echoBackend,
  FIXTURES,
  loadEgg,
  rawRequest,
  serve,
  tracerLogRoot,
  waitForLine,
  type MockApp,
} from './egg-env';

describe('@sofa-tracer/egg on egg 3 with useHttpClientNext (urllib 3 on undici)', () => {
  const { mm, framework } = loadEgg('egg3');
  const logs = tracerLogRoot();
  let app: MockApp;
  let server: Awaited<ReturnType<typeof serve>>;
  let backend: Awaited<ReturnType<typeof echoBackend>>;

  beforeAll(async () => {
    process.env.SOFA_TRACER_LOGGING_PATH = logs.dir;
    process.env.EGG_SOFA_TEST_DIR = logs.dir;
    process.env.EGG_SOFA_HTTPCLIENT_NEXT = '1';
    backend = await echoBackend();
    app = mm.app({ baseDir: join(FIXTURES, 'bff'), framework, cache: false });
    await app.ready();
    server = await serve(app);
  });

  afterAll(async () => {
    await server?.close();
    await app?.close();
    await backend?.close();
    await mm.restore();
    delete process.env.SOFA_TRACER_LOGGING_PATH;
    delete process.env.EGG_SOFA_TEST_DIR;
    delete process.env.EGG_SOFA_HTTPCLIENT_NEXT;
    logs.cleanup();
  });

  it('ctx.curl on urllib 3: client span 0.1.1.1 and its headers on the wire', async () => {
    expect(
      (app.config as unknown as { httpclient: { useHttpClientNext: boolean } }).httpclient.useHttpClientNext,
    ).toBe(true);
    const traceId = '0c0fe927156747798532710021aaaa';
    const res = await rawRequest(server.port, '/proxy?to=' + encodeURIComponent(backend.url + '/next'), {
      'X-B3-TraceId': traceId,
      'X-B3-SpanId': '0.1',
    });
    expect(res.status).toBe(200);
    const seen = backend.seen.at(-1)!;
    expect(seen['x-b3-traceid']).toBe(traceId);
    expect(seen['x-b3-spanid']).toBe('0.1.1.1');
    expect(seen.traceparent).toMatch(new RegExp(`^00-${traceId.padStart(32, '0')}-[0-9a-f]{16}-01$`));
    // one set of trace headers, not the caller's plus ours
    expect(String(seen['x-b3-traceid']).split(',')).toHaveLength(1);
    await eggTracerState(app as never)!.tracer.flush();
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
    expect(client['request.url']).toBe(backend.url + '/next');
  });
});
