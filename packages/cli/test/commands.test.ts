import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '@sofa-tracer/cli';
import { captureIo, digest, removeTempDirs, tempDir, writeLog } from './fixtures';

afterAll(removeTempDirs);

const A = '0a00000000000000000000000000000a';
const B = '0b00000000000000000000000000000b';

function span(traceId: string, spanId: string, time: string, code = '200'): string {
  return digest(
    {
      app: spanId === '0' ? 'front' : 'back',
      traceId,
      time: `2026-11-21 06:00:${time}`,
      spanId,
      kind: 'server',
      code,
      cost: '4ms',
    },
    {
      'request.url': 'http://h/p',
      method: 'GET',
      'req.size.bytes': 0,
      'resp.size.bytes': 1,
      error: '',
      route: '/p',
    },
  );
}

function stat(time: string, route: string, count: number, total: number, success = 'Y'): string {
  return JSON.stringify({
    time: `2026-11-21 06:0${time}`,
    'stat.key': { 'local.app': 'front', route, method: 'GET' },
    count,
    'total.cost.milliseconds': total,
    success,
    'load.test': 'F',
  });
}

describe('sofa-tracer commands', () => {
  let root: string;
  beforeEach(() => {
    root = tempDir('cli-cmd-');
    writeLog(root, 'express-digest.log', [
      span(A, '0', '01.000'),
      span(B, '0', '02.000', '500'),
      span(A, '0.1', '00.500'),
      span(B, '0.1', '01.900'),
    ]);
    writeLog(root, 'express-stat.log', [
      stat('1:00.000', '/users/:id', 5, 50),
      stat('1:00.000', '/health', 2, 2),
      stat('2:00.000', '/users/:id', 3, 90),
      stat('2:00.000', '/users/:id', 1, 7, 'N'),
      'legacy,stat,line',
    ]);
  });

  it('traces: most recent first, with span counts, error flag and services', async () => {
    const c = captureIo();
    expect(await main(['traces', '--dir', root], c.io)).toBe(0);
    expect(c.out.join('')).toBe(
      [
        'TRACE ID                          SPANS  LAST SPAN END            ERR  SERVICES',
        `${B}  2      2026-11-21 06:00:02.000  E    back,front`,
        `${A}  2      2026-11-21 06:00:01.000  -    back,front`,
        '',
      ].join('\n'),
    );
    const one = captureIo();
    await main(['traces', '-d', root, '--limit', '1', '--json'], one.io);
    expect(JSON.parse(one.out.join('')).map((t: { traceId: string }) => t.traceId)).toEqual([B]);
  });

  it('tree: renders the given trace, or the most recent one without an id', async () => {
    const c = captureIo();
    expect(await main(['tree', A, '--dir', join(root, 'tracelog')], c.io)).toBe(0);
    expect(c.out.join('')).toBe(
      [
        `trace ${A}: 2 spans in back, front`,
        '0 server front [express] GET /p (http://h/p) 200 4ms',
        '└─ 0.1 server back [express] GET /p (http://h/p) 200 4ms',
        '',
      ].join('\n'),
    );
    const latest = captureIo();
    expect(await main(['tree', '--dir', root], latest.io)).toBe(0);
    expect(latest.out.join('').split('\n')[0]).toBe(`trace ${B}: 2 spans in back, front`);
  });

  it('tree --json: nested children with every field of the line', async () => {
    const c = captureIo();
    await main(['tree', A, '--dir', root, '--json'], c.io);
    const doc = JSON.parse(c.out.join(''));
    expect(doc.spanCount).toBe(2);
    expect(doc.roots[0].spanId).toBe('0');
    expect(doc.roots[0].children[0].spanId).toBe('0.1');
    expect(doc.roots[0].children[0].fields.route).toBe('/p');
  });

  it('tree: exit 1 and a message for an unknown trace id', async () => {
    const c = captureIo();
    expect(await main(['tree', 'ffff', '--dir', root], c.io)).toBe(1);
    expect(c.err.join('')).toBe(`no spans of trace ffff under ${join(root, 'tracelog')}\n`);
  });

  it('stats: sums intervals per key and success flag, largest count first, warns about legacy lines', async () => {
    const c = captureIo();
    expect(await main(['stats', '--dir', root], c.io)).toBe(0);
    expect(c.out.join('')).toBe(
      [
        'TYPE     COUNT  AVG MS  OK  LOAD  KEY',
        'express  8      17.5    Y   F     local.app=front route=/users/:id method=GET',
        'express  2      1.0     Y   F     local.app=front route=/health method=GET',
        'express  1      7.0     N   F     local.app=front route=/users/:id method=GET',
        '',
      ].join('\n'),
    );
    expect(c.err.join('')).toBe(
      `warning: ${join(root, 'tracelog', 'express-stat.log')}: skipped 1 legacy (comma-format) line(s); only JSON lines are read\n`,
    );
    const quiet = captureIo();
    await main(['stats', '--dir', root, '-q'], quiet.io);
    expect(quiet.err).toEqual([]);
  });

  it('tail --no-follow: the last N lines by time', async () => {
    const c = captureIo();
    expect(await main(['tail', '--dir', root, '-n', '2', '--no-follow'], c.io)).toBe(0);
    expect(c.out.join('')).toBe(
      [
        `2026-11-21 06:00:01.900 ${B} 0.1 server back [express] GET /p (http://h/p) 200 4ms`,
        `2026-11-21 06:00:02.000 ${B} 0 server front [express] GET /p (http://h/p) 500 4ms`,
        '',
      ].join('\n'),
    );
  });

  it('tail: follows lines appended later, in new files too, until aborted', async () => {
    const stop = new AbortController();
    const c = captureIo(stop.signal);
    const done = main(['tail', '--dir', root, '-n', '0', '--interval', '20'], c.io);
    await new Promise((r) => setTimeout(r, 100));
    // Half a line first: it must wait for the rest.
    const line = span(A, '0.2', '09.000');
    appendFileSync(join(root, 'tracelog', 'express-digest.log'), line.slice(0, 20));
    await new Promise((r) => setTimeout(r, 100));
    expect(c.out).toEqual([]);
    appendFileSync(join(root, 'tracelog', 'express-digest.log'), line.slice(20) + '\r\n');
    writeLog(root, 'httpclient-digest.log', [span(B, '0.7', '09.500')]);
    const until = Date.now() + 5000;
    while (c.out.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    expect(await done).toBe(0);
    expect(c.out.sort()).toEqual([
      `2026-11-21 06:00:09.000 ${A} 0.2 server back [express] GET /p (http://h/p) 200 4ms\n`,
      `2026-11-21 06:00:09.500 ${B} 0.7 server back [httpclient] GET /p (http://h/p) 200 4ms\n`,
    ]);
  });

  it('usage errors exit 2 with the usage text', async () => {
    const c = captureIo();
    expect(await main(['bogus'], c.io)).toBe(2);
    expect(c.err.join('')).toContain('unknown command "bogus"');
    const d = captureIo();
    expect(await main(['traces', '--dir'], d.io)).toBe(2);
    expect(d.err.join('')).toContain('option --dir needs a value');
    const h = captureIo();
    expect(await main(['--help'], h.io)).toBe(0);
    expect(h.out.join('')).toContain('Usage: sofa-tracer <command>');
  });
});

describe('the sofa-tracer executable', () => {
  it('prints a tree from the built package (bin/sofa-tracer.js)', () => {
    const root = tempDir('cli-bin-');
    writeLog(root, 'express-digest.log', [span(A, '0', '01.000')]);
    const r = spawnSync(
      process.execPath,
      [join(__dirname, '..', 'bin', 'sofa-tracer.js'), 'tree', A, '--dir', root],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      `trace ${A}: 1 span in front\n0 server front [express] GET /p (http://h/p) 200 4ms\n`,
    );
  });
});
