import { createTracer, EXPRESS_LOG_TYPE, HTTP_CLIENT_LOG_TYPE } from '@sofa-tracer/core';
import { buildTraceTree, readDigestLines, renderTree, resolveTraceLogDirs } from '@sofa-tracer/cli';
import { removeTempDirs, tempDir } from './fixtures';

afterAll(removeTempDirs);

// The CLI reads what the real tracer writes: if core's digest field names or file names drift,
// these trees break.
describe('digest lines written by @sofa-tracer/core', () => {
  it('two tracers (two services) under one root become one tree: 0 → 0.1 → 0.1.1', async () => {
    const root = tempDir('cli-core-');
    const gateway = createTracer({ appName: 'gateway', logDir: `${root}/gateway` });
    const backend = createTracer({ appName: 'backend', logDir: `${root}/backend` });
    for (const t of [gateway, backend]) {
      t.registerLogType(EXPRESS_LOG_TYPE);
      t.registerLogType(HTTP_CLIENT_LOG_TYPE);
    }
    const server = gateway.startSpan('GET /orders/:id', {
      kind: 'server',
      logType: 'express',
      childOf: null,
      tags: { 'request.url': 'http://gw/orders/1', method: 'GET', route: '/orders/:id' },
    });
    const client = gateway.startSpan('GET', {
      kind: 'client',
      logType: 'httpclient',
      childOf: server,
      tags: { 'request.url': 'http://be/stock/1', method: 'GET' },
    });
    const headers: Record<string, string> = {};
    gateway.inject(client.context(), 'http_headers', headers);
    const remote = backend.startSpan('GET /stock/:id', {
      kind: 'server',
      logType: 'express',
      childOf: backend.extract('http_headers', headers),
      tags: { 'request.url': 'http://be/stock/1', method: 'GET', route: '/stock/:id' },
    });
    remote.setResultCode(404);
    remote.setError(new Error('no stock'));
    remote.finish();
    client.setResultCode(404);
    client.finish();
    server.setResultCode(200);
    server.finish();
    await Promise.all([gateway.close(), backend.close()]);

    const traceId = server.context().traceId;
    const records = await readDigestLines(await resolveTraceLogDirs([root]), { traceId });
    const lines = renderTree(buildTraceTree(records, traceId))
      .replace(/ \d+ms/g, ' Nms')
      .split('\n');
    expect(lines).toEqual([
      `trace ${traceId}: 3 spans in backend, gateway`,
      '0 server gateway [express] GET /orders/:id (http://gw/orders/1) 200 Nms',
      '└─ 0.1 client gateway [httpclient] GET http://be/stock/1 404 Nms',
      '   └─ 0.1.1 server backend [express] GET /stock/:id (http://be/stock/1) 404 Nms error: no stock',
      '',
    ]);
  });

  it('a trace entered through W3C traceparent: the foreign parent id is the root segment', async () => {
    const root = tempDir('cli-w3c-');
    const tracer = createTracer({ appName: 'edge', logDir: root });
    tracer.registerLogType(EXPRESS_LOG_TYPE);
    const ctx = tracer.extract('http_headers', {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    const span = tracer.startSpan('GET /', {
      kind: 'server',
      logType: 'express',
      childOf: ctx,
      tags: { 'request.url': 'http://edge/', method: 'GET', route: '/' },
    });
    span.setResultCode(200);
    span.finish();
    await tracer.close();
    const traceId = span.context().traceId;
    const records = await readDigestLines(await resolveTraceLogDirs([root]), { traceId });
    expect(renderTree(buildTraceTree(records, traceId)).replace(/ \d+ms/g, ' Nms')).toBe(
      `trace ${traceId}: 1 span in edge\n` +
        `${span.context().spanId} server edge [express] GET / (http://edge/) 200 Nms` +
        ` (parent ${span.context().parentId} not in logs)\n`,
    );
    expect(span.context().spanId).toBe(`${span.context().parentId}.1`);
  });
});
