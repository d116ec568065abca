import * as fs from 'node:fs';
import * as path from 'node:path';
import { AsyncLogWriter, deleteExpiredRolledFiles, parseRetention } from '../../src/log';
import { Clock, MemorySelfLog, removeTempDirs, tempDir } from './helpers';

afterEach(removeTempDirs);

const H = 3_600_000;
const D = 24 * H;
const at = (y: number, mo: number, d: number, h = 0): number => new Date(y, mo - 1, d, h).getTime();

describe('parseRetention', () => {
  it.each([
    [7, 7 * D],
    [0, 0],
    ['7', 7 * D],
    [' 3 ', 3 * D],
    ['1D', D],
    ['2D12H', 2 * D + 12 * H],
    ['0D6H', 6 * H],
    ['12H', 12 * H],
    ['30M', 30 * 60_000],
    ['1d6h30m', D + 6 * H + 30 * 60_000],
  ])('accepts %p', (value, ms) => {
    expect(parseRetention(value)).toBe(ms);
  });

  it.each([['', 'x', '-1', '1.5', 'D', '7 days', '12H1D', -1, 1.5, NaN]])(
    'rejects %p naming the value and the forms',
    (value) => {
      expect(() => parseRetention(value)).toThrow(
        new RegExp(
          `^Invalid log retention ${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: expected a number of days .*"2D12H"`,
        ),
      );
    },
  );
});

describe('retention', () => {
  function seed(dir: string, names: string[]): void {
    for (const n of names) fs.writeFileSync(path.join(dir, n), n + '\n');
  }

  it('deletes only rolled files of this log older than the retention', async () => {
    const dir = tempDir();
    seed(dir, [
      'x.log',
      'x.log.2024-01-01',
      'x.log.2024-01-02',
      'x.log.2024-01-02.1',
      'x.log.2024-01-03',
      'x.log.2024-01-09',
      'x.log.2024-01-02_23',
      'x.log.2024-01-03_00',
      'x.log.bak',
      'x.log.2024-01-01.gz',
      'y.log.2024-01-01',
      'x.log2.2024-01-01',
    ]);
    const selfLog = new MemorySelfLog();
    // 7 days at Jan 10 15:00: files whose last possible line is before Jan 3 15:00 go.
    const n = await deleteExpiredRolledFiles(path.join(dir, 'x.log'), 7 * D, at(2024, 1, 10, 15), selfLog);
    expect(n).toBe(5);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'x.log',
      'x.log.2024-01-01.gz',
      'x.log.2024-01-03',
      'x.log.2024-01-09',
      'x.log.bak',
      'x.log2.2024-01-01',
      'y.log.2024-01-01',
    ]);
    expect(selfLog.lines).toContain('[INFO]  Deleted log file: x.log.2024-01-01');
  });

  it('judges an impossible date suffix by the mtime', async () => {
    const dir = tempDir();
    seed(dir, ['x.log.2024-02-31', 'x.log.2024-13-01']);
    const old = at(2020, 1, 1) / 1000;
    fs.utimesSync(path.join(dir, 'x.log.2024-13-01'), old, old);
    await deleteExpiredRolledFiles(path.join(dir, 'x.log'), D, Date.now(), new MemorySelfLog());
    expect(fs.readdirSync(dir)).toEqual(['x.log.2024-02-31']);
  });

  it('keeps everything with retention 0', async () => {
    const dir = tempDir();
    seed(dir, ['x.log.2000-01-01']);
    expect(await deleteExpiredRolledFiles(path.join(dir, 'x.log'), 0, Date.now(), new MemorySelfLog())).toBe(
      0,
    );
    expect(fs.readdirSync(dir)).toEqual(['x.log.2000-01-01']);
  });

  it('runs when the writer rolls, keeping the active and fresh rolled files', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.log');
    seed(dir, ['x.log.2024-01-01', 'x.log.2024-01-07', 'other.log.2024-01-01']);
    const clock = new Clock(at(2024, 1, 9, 23));
    const w = new AsyncLogWriter({
      file,
      rolling: 'daily',
      retentionMs: 2 * D,
      capacity: 100,
      lineSeparator: '\n',
      discardReportThreshold: 500,
      logDiscardedIds: false,
      selfLog: new MemorySelfLog(),
      now: clock.now,
    });
    w.append('day 9');
    await w.flush();
    await w.cleanup();
    // At Jan 9 23:00 with 2 days: Jan 1 (ends Jan 2) goes, Jan 7 (ends Jan 8 00:00 > Jan 7 23:00) stays.
    expect(fs.readdirSync(dir).sort()).toEqual(['other.log.2024-01-01', 'x.log', 'x.log.2024-01-07']);
    clock.t = at(2024, 1, 10, 1);
    w.append('day 10');
    await w.close();
    // The roll at Jan 10 01:00 produced .2024-01-09 and expired .2024-01-07 (ends Jan 8 < Jan 8 01:00).
    expect(fs.readdirSync(dir).sort()).toEqual(['other.log.2024-01-01', 'x.log', 'x.log.2024-01-09']);
  });
});
