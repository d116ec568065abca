// egg 3 with `httpclient.useHttpClientNext`: ctx.curl runs on urllib 3 over undici (egg 3's
// default is urllib 2 over node:http, covered by egg3.test.ts) — traced through undici's
// diagnostics channels.
import { bootBff, rawRequest, waitForLine, type BootedBff } from './egg-env';

describe('@sofa-tracer/egg on egg 3 with useHttpClientNext (urllib 3 on undici)', () => {
  let bff: BootedBff;

  beforeAll(async () => {
    bff = await bootBff('egg3', { EGG_SOFA_HTTPCLIENT_NEXT: '1' });
  });

  afterAll(async () => {
    await bff?.close();
  });

  it('ctx.curl on urllib 3: client span 0.1.1.1 and its headers on the wire', async () => {
    const { app, server, backend, logs } = bff;
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
    expect(client['request.url']).toBe(backend.url + '/next');
  });
});
