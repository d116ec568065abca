import * as fs from 'node:fs';
import * as path from 'node:path';
import { AsyncLogWriter, rolledFileName, rollingPeriod, type RollingPolicy } from '../../src/log';
import { Clock, MemorySelfLog, read, removeTempDirs, tempDir } from './helpers';

/** The wall-clock time (s, for utimes) at which `clock` reads `fakeMs`. */
function wallClock(fakeMs: number, clock: Clock): number {
  return (fakeMs - clock.t + Date.now()) / 1000;
}

afterEach(removeTempDirs);

function writer(
  file: string,
  rolling: RollingPolicy,
  clock: Clock,
  selfLog = new MemorySelfLog(),
): AsyncLogWriter {
  return new AsyncLogWriter({
    file,
    rolling,
    retentionMs: 0,
    capacity: 1000,
    lineSeparator: '\n',
    discardReportThreshold: 500,
    logDiscardedIds: false,
    selfLog,
    now: clock.now,
  });
}

// Local times, as the suffixes are local (like Java's SimpleDateFormat).
const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number =>
  new Date(y, mo - 1, d, h, mi, s).getTime();

describe('rolling', () => {
  it('rolls daily across midnight into <file>.yyyy-MM-dd', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'x-digest.log');
    const clock = new Clock(at(2024, 3, 9, 23, 59, 58));
    const selfLog = new MemorySelfLog();
    const w = writer(file, 'daily', clock, selfLog);
    w.append('before midnight 1');
    w.append('before midnight 2');
    await w.flush();
    clock.t = at(2024, 3, 10, 0, 0, 1);
    w.append('after midnight');
    await w.flush();
    clock.t = at(2024, 3, 10, 23, 0, 0);
    w.append('same day');
    await w.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['x-digest.log', 'x-digest.log.2024-03-09']);
    expect(read(file + '.2024-03-09')).toBe('before midnight 1\nbefore midnight 2\n');
    expect(read(file)).toBe('after midnight\nsame day\n');
    expect(selfLog.lines).toContain(`[INFO]  ${file} -> ${file}.2024-03-09`);
  });

  it('rolls hourly into <file>.yyyy-MM-dd_HH, skipping hours without lines', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.log');
    const clock = new Clock(at(2024, 12, 31, 22, 59, 59));
    const w = writer(file, 'hourly', clock);
    w.append('at 22');
    await w.flush();
    clock.t = at(2024, 12, 31, 23, 0, 0);
    w.append('at 23');
    await w.flush();
    clock.t = at(2025, 1, 1, 1, 30, 0);
    w.append('at 01 next year');
    await w.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['x.log', 'x.log.2024-12-31_22', 'x.log.2024-12-31_23']);
    expect(read(file + '.2024-12-31_22')).toBe('at 22\n');
    expect(read(file + '.2024-12-31_23')).toBe('at 23\n');
    expect(read(file)).toBe('at 01 next year\n');
  });

  it('rolls a non-empty active file left by a previous run on the first write (period = its mtime)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.log');
    fs.writeFileSync(file, 'from yesterday\n');
    const clock = new Clock(at(2024, 5, 21, 9, 0, 0));
    // an mtime is wall-clock time: the writer reads it relative to its own (injected) clock
    const yesterday = wallClock(at(2024, 5, 20, 18, 0, 0), clock);
    fs.utimesSync(file, yesterday, yesterday);
    const w = writer(file, 'daily', clock);
    w.append('today');
    await w.close();
    expect(read(file + '.2024-05-20')).toBe('from yesterday\n');
    expect(read(file)).toBe('today\n');
  });

  it('never overwrites an existing rolled file: a taken name gets a .1 suffix', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.log');
    fs.writeFileSync(file + '.2024-05-20', 'rolled by someone else\n');
    fs.writeFileSync(file, 'mine\n');
    const clock = new Clock(at(2024, 5, 21, 1));
    const t = wallClock(at(2024, 5, 20, 12), clock);
    fs.utimesSync(file, t, t);
    const w = writer(file, 'daily', clock);
    w.append('new');
    await w.close();
    expect(read(file + '.2024-05-20')).toBe('rolled by someone else\n');
    expect(read(file + '.2024-05-20.1')).toBe('mine\n');
    expect(read(file)).toBe('new\n');
  });

  it('computes periods and rolled names in local time', () => {
    const p = rollingPeriod(at(2024, 2, 29, 13, 45, 10), 'hourly');
    expect(p).toEqual({ start: at(2024, 2, 29, 13), end: at(2024, 2, 29, 14) });
    expect(rolledFileName('/l/x.log', p, 'hourly')).toBe('/l/x.log.2024-02-29_13');
    const d = rollingPeriod(at(2024, 2, 29, 13, 45, 10), 'daily');
    expect(d).toEqual({ start: at(2024, 2, 29), end: at(2024, 3, 1) });
    expect(rolledFileName('/l/x.log', d, 'daily')).toBe('/l/x.log.2024-02-29');
  });
});

it('a tracer with logClock rolls by that clock: a drill of the hour boundary', async () => {
  const { createTracer } = await import('../../src');
  const dir = tempDir();
  const clock = new Clock(new Date(2031, 4, 6, 13, 59, 59, 500).getTime());
  const tracer = createTracer({ appName: 'drill', logDir: dir, rollingPolicy: 'hourly', logClock: clock.now });
  tracer.startSpan('before', { tags: { method: 'before' } }).finish();
  await tracer.flush();
  clock.t += 1000; // 14:00:00.500 on the drill clock, whatever the real time is
  tracer.startSpan('after', { tags: { method: 'after' } }).finish();
  await tracer.close();
  const root = path.join(dir, 'tracelog');
  const names = (f: string): string[] =>
    read(path.join(root, f))
      .split(/\r?\n/)
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { method: string }).method);
  expect(names('biz-digest.log.2031-05-06_13')).toEqual(['before']);
  expect(names('biz-digest.log')).toEqual(['after']);
});

it('an hourly period computed from a fractional mtime still ends on the exact hour', () => {
  const p = rollingPeriod(at(2024, 2, 29, 13, 45, 10) + 0.0705, 'hourly');
  expect(p).toEqual({ start: at(2024, 2, 29, 13), end: at(2024, 2, 29, 14) });
});
