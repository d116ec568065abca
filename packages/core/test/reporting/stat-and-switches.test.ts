import { join } from 'node:path';
import { createTracer, type LogTypeDefinition, type SofaTracer, isHttpSuccess } from '../../src';
import { MemorySelfLog, readLines, tempDir } from '../helpers/fixtures';

const WEB: LogTypeDefinition = {
  name: 'web',
  digestFile: 'web-digest.log',
  statFile: 'web-stat.log',
  digestFields: [
    { key: 'request.url', type: 'string' },
    { key: 'method', type: 'string' },
  ],
  statKeyFields: ['route', 'method'],
  isSuccess: (s) => isHttpSuccess(s.resultCode),
};

function serve(t: SofaTracer, route: string, code: number, ms = 0, bag?: [string, string]) {
  const s = t.startSpan('GET ' + route, {
    kind: 'server',
    logType: 'web',
    childOf: null,
    tags: { route, method: 'GET', 'request.url': 'http://h' + route },
  });
  if (bag) s.setBaggageItem(bag[0], bag[1]);
  s.setResultCode(code);
  s.finish(s.startTime + ms);
}

describe('stat log', () => {
  let dir: string;
  let now: number;
  beforeEach(() => {
    dir = tempDir();
    now = new Date(2024, 0, 2, 10, 0, 0, 0).getTime();
  });

  it('aggregates by local.app + key fields + success + load test, prints count > 0 rows, then resets', async () => {
    const t = createTracer({ appName: 'shop', logDir: dir, statLogInterval: 3600 }, { now: () => now });
    t.registerLogType(WEB);
    serve(t, '/users/:id', 200, 5);
    serve(t, '/users/:id', 200, 7);
    serve(t, '/users/:id', 500, 1);
    serve(t, '/users/:id', 304, 1); // 304 is a failure, as in Java
    serve(t, '/users/:id', 302, 1); // 302 a success
    serve(t, '/users/:id', 200, 3, ['mark', 'T']); // load test → shadow/
    t.printStats();
    t.printStats(); // nothing new: no lines
    serve(t, '/orders', 201, 2);
    await t.close();
    const lines = readLines(join(dir, 'tracelog', 'web-stat.log')).map((l) => JSON.parse(l));
    expect(lines).toEqual([
      {
        time: '2024-01-02 10:00:00.000',
        'stat.key': { 'local.app': 'shop', route: '/users/:id', method: 'GET' },
        count: 3,
        'total.cost.milliseconds': 13,
        success: 'Y',
        'load.test': 'F',
      },
      {
        time: '2024-01-02 10:00:00.000',
        'stat.key': { 'local.app': 'shop', route: '/users/:id', method: 'GET' },
        count: 2,
        'total.cost.milliseconds': 2,
        success: 'N',
        'load.test': 'F',
      },
      {
        time: '2024-01-02 10:00:00.000',
        'stat.key': { 'local.app': 'shop', route: '/orders', method: 'GET' },
        count: 1,
        'total.cost.milliseconds': 2,
        success: 'Y',
        'load.test': 'F',
      },
    ]);
    const shadow = readLines(join(dir, 'tracelog', 'shadow', 'web-stat.log')).map((l) => JSON.parse(l));
    expect(shadow).toEqual([
      {
        time: '2024-01-02 10:00:00.000',
        'stat.key': { 'local.app': 'shop', route: '/users/:id', method: 'GET' },
        count: 1,
        'total.cost.milliseconds': 3,
        success: 'Y',
        'load.test': 'T',
      },
    ]);
    expect(readLines(join(dir, 'tracelog', 'shadow', 'web-digest.log'))).toHaveLength(1);
    expect(readLines(join(dir, 'tracelog', 'web-digest.log'))).toHaveLength(6);
  });

  it('prints on its interval (timer) without being asked', async () => {
    const t = createTracer({ appName: 'shop', logDir: dir, statLogInterval: 0.05 });
    t.registerLogType(WEB);
    serve(t, '/a', 200);
    await new Promise((r) => setTimeout(r, 150));
    await t.flush();
    expect(readLines(join(dir, 'tracelog', 'web-stat.log'))).toHaveLength(1);
    await t.close();
  });

  it('writes the legacy stat format', async () => {
    const t = createTracer(
      { appName: 'shop', logDir: dir, statLogInterval: 3600, jsonOutput: false },
      { now: () => now },
    );
    t.registerLogType(WEB);
    serve(t, '/a', 200, 4);
    await t.close();
    expect(readLines(join(dir, 'tracelog', 'web-stat.log'))).toEqual([
      '2024-01-02 10:00:00.000,shop,/a,GET,1,4,Y,F',
    ]);
  });

  it('prints early instead of losing rows when the key limit is reached (self-logged once)', async () => {
    const self = new MemorySelfLog();
    const t = createTracer(
      { appName: 'shop', logDir: dir, statLogInterval: 3600, statKeyLimit: 3 },
      { now: () => now, selfLog: self },
    );
    t.registerLogType(WEB);
    for (let i = 0; i < 10; i++) serve(t, '/r' + i, 200, 1);
    await t.close();
    const lines = readLines(join(dir, 'tracelog', 'web-stat.log')).map((l) => JSON.parse(l));
    expect(lines.reduce((n, l) => n + l.count, 0)).toBe(10);
    expect(self.lines.filter((l) => l.includes('stat key limit 3 reached'))).toHaveLength(1);
  });
});

describe('sampling and switches (every switch is tested, Java lesson 7)', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir()));

  it('unsampled traces write no digest but still count in stats, and children inherit the decision', async () => {
    const t = createTracer({ appName: 'a', logDir: dir, samplerPercentage: 0, statLogInterval: 3600 });
    t.registerLogType(WEB);
    const root = t.startSpan('r', { logType: 'web', childOf: null, tags: { route: '/x', method: 'GET' } });
    const child = t.startSpan('c', { childOf: root });
    expect(child.context().sampled).toBe(false);
    root.setResultCode(200).finish();
    child.finish();
    await t.close();
    expect(readLines(join(dir, 'tracelog', 'web-digest.log'))).toHaveLength(0);
    expect(readLines(join(dir, 'tracelog', 'web-stat.log'))).toHaveLength(1);
  });

  it('disableDigestLog turns every digest off; disabledDigestLogs only the named ones; both self-logged', async () => {
    const self = new MemorySelfLog();
    const t = createTracer(
      { appName: 'a', logDir: dir, disabledDigestLogs: ['web'], statLogInterval: 3600 },
      { selfLog: self },
    );
    t.registerLogType(WEB);
    serve(t, '/x', 200);
    t.startSpan('biz').finish();
    await t.close();
    expect(readLines(join(dir, 'tracelog', 'web-digest.log'))).toHaveLength(0);
    expect(readLines(join(dir, 'tracelog', 'biz-digest.log'))).toHaveLength(1);
    expect(readLines(join(dir, 'tracelog', 'web-stat.log'))).toHaveLength(1);
    expect(self.lines).toContain('[INFO]  digest log of "web" is disabled (disabledDigestLogs)');

    const dir2 = tempDir();
    const t2 = createTracer({ appName: 'a', logDir: dir2, disableDigestLog: true, statLogInterval: 3600 });
    t2.registerLogType(WEB);
    serve(t2, '/x', 200);
    t2.startSpan('biz').finish();
    await t2.close();
    expect(readLines(join(dir2, 'tracelog', 'web-digest.log'))).toHaveLength(0);
    expect(readLines(join(dir2, 'tracelog', 'biz-digest.log'))).toHaveLength(0);
    expect(readLines(join(dir2, 'tracelog', 'web-stat.log'))).toHaveLength(1);
  });

  it('listeners get every finished span (sampled or not) before the files; a throwing listener is isolated', async () => {
    const self = new MemorySelfLog();
    const got: string[] = [];
    const t = createTracer({ appName: 'a', logDir: dir, samplerPercentage: 0 }, { selfLog: self });
    t.addSpanListener({
      onSpanReport: () => {
        throw new Error('listener bug');
      },
    });
    const good = { onSpanReport: (s: { operationName: string }) => got.push(s.operationName) };
    t.addSpanListener(good);
    t.startSpan('one').finish();
    t.startSpan('two').finish();
    t.removeSpanListener(good);
    t.startSpan('three').finish();
    await t.close();
    expect(got).toEqual(['one', 'two']);
    expect(self.lines.filter((l) => l.includes('threw'))).toHaveLength(1); // rate-limited
  });

  it('finish() twice reports once; finish(endTime) uses the given time', async () => {
    const got: number[] = [];
    const t = createTracer({
      appName: 'a',
      logDir: dir,
      listeners: [{ onSpanReport: (s) => got.push(s.durationMs) }],
    });
    const s = t.startSpan('x', { startTime: 1000 });
    s.finish(1250);
    s.finish(9999);
    await t.close();
    expect(got).toEqual([250]);
  });

  it('a span of an unregistered log type is self-logged once and not written', async () => {
    const self = new MemorySelfLog();
    const t = createTracer({ appName: 'a', logDir: dir }, { selfLog: self });
    t.startSpan('x', { logType: 'nope' }).finish();
    t.startSpan('y', { logType: 'nope' }).finish();
    await t.close();
    expect(self.lines.filter((l) => l.includes('"nope"'))).toHaveLength(1);
  });
});
