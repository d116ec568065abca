import { join } from 'node:path';
import { buildTraceTree, readDigestLines, renderTree, resolveTraceLogDirs } from '@sofa-tracer/cli';
import { digest, removeTempDirs, tempDir, writeLog } from './fixtures';

afterAll(removeTempDirs);

const T = '0a1b2c3d1732170000001100112345';
const OTHER = '0a1b2c3d1732170000002100112345';
const t = (s: string): string => `2026-11-21 05:40:${s}`;

function twoServices(): { gateway: string; backend: string } {
  const gateway = tempDir('cli-gw-');
  const backend = tempDir('cli-be-');
  const gw = { app: 'gateway', traceId: T };
  const be = { app: 'backend', traceId: T };
  writeLog(gateway, 'express-digest.log', [
    digest(
      { ...gw, time: t('00.300'), spanId: '0', kind: 'server', code: '200', cost: '30ms' },
      {
        'request.url': 'http://127.0.0.1:8080/checkout',
        method: 'GET',
        'req.size.bytes': 0,
        'resp.size.bytes': 12,
        error: '',
        route: '/checkout',
      },
    ),
    digest(
      { ...gw, traceId: OTHER, time: t('01.000'), spanId: '0', kind: 'server', code: '404', cost: '1ms' },
      {
        'request.url': 'http://127.0.0.1:8080/nope',
        method: 'GET',
        'req.size.bytes': 0,
        'resp.size.bytes': 9,
        error: '',
        route: 'UNMATCHED',
      },
    ),
    '2026-11-21 05:40:00.100,gateway,' + T + ',0.9,server,200,main,1ms,http://x/,GET,0,0,,,',
    `{"time":"2026-11-21 05:40:00.100","local.app":"gateway","traceId":"${T}","spanId":"0.8","span.ki`,
  ]);
  const client = (
    spanId: string,
    method: string,
    path: string,
    code: string,
    cost: string,
    time: string,
  ): string =>
    digest(
      { ...gw, time: t(time), spanId, kind: 'client', code, cost },
      {
        'request.url': `http://127.0.0.1:9090${path}`,
        method,
        'req.size.bytes': 0,
        'resp.size.bytes': 2,
        'remote.app': '',
      },
    );
  writeLog(gateway, 'httpclient-digest.log', [
    client('0.1', 'GET', '/items/42', '200', '12ms', '00.100'),
    client('0.2', 'POST', '/fail', '500', '3ms', '00.110'),
    client('0.10', 'GET', '/slow', '200', '251ms', '00.290'),
  ]);
  const server = (
    spanId: string,
    method: string,
    path: string,
    route: string,
    code: string,
    cost: string,
    error: string,
  ): string =>
    digest(
      { ...be, time: t('00.200'), spanId, kind: 'server', code, cost },
      {
        'request.url': `http://127.0.0.1:9090${path}`,
        method,
        'req.size.bytes': 0,
        'resp.size.bytes': 2,
        error,
        route,
      },
    );
  writeLog(backend, 'express-digest.log', [
    server('0.10.1', 'GET', '/slow', '/slow', '200', '250ms', ''),
    server('0.2.1', 'POST', '/fail', '/fail', '500', '2ms', 'boom'),
    server('0.1.1', 'GET', '/items/42', '/items/:id', '200', '10ms', ''),
  ]);
  return { gateway, backend };
}

describe('a trace reassembled from two services', () => {
  it('renders 0 → 0.1 → 0.1.1 across files and services, children in numeric span-id order', async () => {
    const { gateway, backend } = twoServices();
    const dirs = await resolveTraceLogDirs([gateway, join(backend, 'tracelog')]);
    const warnings: string[] = [];
    const records = await readDigestLines(dirs, { traceId: T, onWarning: (m) => warnings.push(m) });
    expect(renderTree(buildTraceTree(records, T))).toBe(
      [
        `trace ${T}: 7 spans in backend, gateway`,
        '0 server gateway [express] GET /checkout (http://127.0.0.1:8080/checkout) 200 30ms',
        '├─ 0.1 client gateway [httpclient] GET http://127.0.0.1:9090/items/42 200 12ms',
        '│  └─ 0.1.1 server backend [express] GET /items/:id (http://127.0.0.1:9090/items/42) 200 10ms',
        '├─ 0.2 client gateway [httpclient] POST http://127.0.0.1:9090/fail 500 3ms',
        '│  └─ 0.2.1 server backend [express] POST /fail (http://127.0.0.1:9090/fail) 500 2ms error: boom',
        '└─ 0.10 client gateway [httpclient] GET http://127.0.0.1:9090/slow 200 251ms',
        '   └─ 0.10.1 server backend [express] GET /slow (http://127.0.0.1:9090/slow) 200 250ms',
        '',
      ].join('\n'),
    );
    const gwFile = join(gateway, 'tracelog', 'express-digest.log');
    expect(warnings).toEqual([
      `${gwFile}: skipped 1 legacy (comma-format) line(s); only JSON lines are read`,
      `${gwFile}: skipped 1 malformed line(s)`,
    ]);
  });

  it('draws ASCII branches on request', async () => {
    const { gateway, backend } = twoServices();
    const records = await readDigestLines(await resolveTraceLogDirs([gateway, backend]));
    const lines = renderTree(buildTraceTree(records, T), { ascii: true }).split('\n');
    expect(lines.slice(1, 4)).toEqual([
      '0 server gateway [express] GET /checkout (http://127.0.0.1:8080/checkout) 200 30ms',
      '|- 0.1 client gateway [httpclient] GET http://127.0.0.1:9090/items/42 200 12ms',
      '|  `- 0.1.1 server backend [express] GET /items/:id (http://127.0.0.1:9090/items/42) 200 10ms',
    ]);
  });

  it('finds every service under one multi-service root, and per-pid directories', async () => {
    const root = tempDir('cli-multi-');
    const { gateway, backend } = twoServices();
    const { renameSync, mkdirSync } = await import('node:fs');
    renameSync(join(gateway, 'tracelog'), join(root, 'gw-tracelog'));
    mkdirSync(join(root, 'gateway'));
    renameSync(join(root, 'gw-tracelog'), join(root, 'gateway', 'tracelog'));
    mkdirSync(join(root, 'backend', 'tracelog'), { recursive: true });
    renameSync(join(backend, 'tracelog'), join(root, 'backend', 'tracelog', '4242'));
    expect(await resolveTraceLogDirs([root])).toEqual([
      root,
      join(root, 'backend', 'tracelog'),
      join(root, 'backend', 'tracelog', '4242'),
      join(root, 'gateway', 'tracelog'),
    ]);
    const tree = buildTraceTree(await readDigestLines(await resolveTraceLogDirs([root]), { traceId: T }), T);
    expect(tree.spanCount).toBe(7);
    expect(tree.roots[0]?.children[0]?.children[0]?.record.spanId).toBe('0.1.1');
  });

  it('reads rolled files and shadow/ files too', async () => {
    const root = tempDir('cli-roll-');
    const line = (spanId: string, time: string): string =>
      digest(
        { app: 'a', traceId: T, time: t(time), spanId, kind: 'server', code: '200', cost: '1ms' },
        { method: 'GET', 'request.url': '/x' },
      );
    writeLog(root, 'express-digest.log.2026-11-20', [line('0', '00.000')]);
    writeLog(root, 'shadow/express-digest.log', [line('0.1', '00.001')]);
    writeLog(root, 'express-stat.log', ['{"time":"x","stat.key":{},"count":1}']);
    const records = await readDigestLines(await resolveTraceLogDirs([root]));
    expect(records.map((r) => [r.spanId, r.logType])).toEqual([
      ['0', 'express'],
      ['0.1', 'express'],
    ]);
  });
});

describe('trees from incomplete or foreign traces', () => {
  const rec = (spanId: string, kind: string, app: string) => {
    const fields = {
      traceId: T,
      spanId,
      'span.kind': kind,
      'local.app': app,
      'result.code': '200',
      'time.cost.milliseconds': '1ms',
    };
    return {
      time: '',
      localApp: app,
      traceId: T,
      spanId,
      kind,
      resultCode: '200',
      timeCost: '1ms',
      costMs: 1,
      logType: 'x',
      file: '',
      fields,
    };
  };

  it('hangs a span whose parent is missing under its nearest ancestor, marked', () => {
    const tree = buildTraceTree([rec('0.1.1', 'server', 'b'), rec('0', 'server', 'a')]);
    expect(renderTree(tree)).toBe(
      [
        `trace ${T}: 2 spans in a, b`,
        '0 server a [x] 200 1ms',
        '└─ 0.1.1 server b [x] 200 1ms (parent 0.1 not in logs)',
        '',
      ].join('\n'),
    );
  });

  it('tolerates a foreign hex root segment (trace entered from W3C/B3)', () => {
    const tree = buildTraceTree([
      rec('b7ad6b7169203331.1.1', 'client', 'svc'),
      rec('b7ad6b7169203331.1', 'server', 'svc'),
    ]);
    expect(renderTree(tree)).toBe(
      [
        `trace ${T}: 2 spans in svc`,
        'b7ad6b7169203331.1 server svc [x] 200 1ms (parent b7ad6b7169203331 not in logs)',
        '└─ b7ad6b7169203331.1.1 client svc [x] 200 1ms',
        '',
      ].join('\n'),
    );
  });

  it('nests a server span under a client span of the same id (Java services reuse the caller id)', () => {
    const tree = buildTraceTree([
      rec('0.1', 'server', 'java'),
      rec('0.1.1', 'client', 'java'),
      rec('0.1', 'client', 'node'),
      rec('0', 'server', 'node'),
    ]);
    expect(renderTree(tree).split('\n').slice(1, -1)).toEqual([
      '0 server node [x] 200 1ms',
      '└─ 0.1 client node [x] 200 1ms',
      '   └─ 0.1 server java [x] 200 1ms',
      '      └─ 0.1.1 client java [x] 200 1ms',
    ]);
  });

  it('says so when no route matched', () => {
    const r = rec('0', 'server', 'a');
    const unmatched = {
      ...r,
      fields: { ...r.fields, method: 'GET', 'request.url': 'http://h/nope', route: 'UNMATCHED' },
    };
    expect(renderTree(buildTraceTree([unmatched])).split('\n')[1]).toBe(
      '0 server a [x] GET http://h/nope (no route matched) 200 1ms',
    );
  });

  it('is empty for a trace id not in the records', () => {
    expect(buildTraceTree([rec('0', 'server', 'a')], 'nope')).toEqual({
      traceId: 'nope',
      roots: [],
      spanCount: 0,
      apps: [],
    });
  });
});
