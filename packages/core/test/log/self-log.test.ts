import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  FileSelfLog,
  LogDirectory,
  NOOP_SELF_LOG,
  StderrSelfLog,
  timeZoneId,
  writeStaticInfo,
} from '../../src/log';
import { Clock, MemorySelfLog, read, removeTempDirs, tempDir } from './helpers';

afterEach(removeTempDirs);

describe('FileSelfLog', () => {
  it("writes Java's format: timestamp, [ERROR]/[WARN]  /[INFO]  , stack on the next lines", async () => {
    const root = tempDir();
    const clock = new Clock(new Date(2024, 0, 2, 3, 4, 5, 6).getTime());
    const log = new FileSelfLog({ root, now: clock.now });
    log.info('started');
    log.warn('careful');
    log.error('no error object');
    const err = new Error('boom');
    log.error('failed to do X', err);
    log.error('thrown string', 'just text');
    await log.close();
    const text = read(path.join(root, 'tracer-self.log'));
    const expected =
      '2024-01-02 03:04:05.006[INFO]  started\n' +
      '2024-01-02 03:04:05.006[WARN]  careful\n' +
      '2024-01-02 03:04:05.006[ERROR] no error object\n' +
      '2024-01-02 03:04:05.006[ERROR] failed to do X\n' +
      err.stack +
      '\n' +
      '2024-01-02 03:04:05.006[ERROR] thrown string\njust text\n';
    expect(text).toBe(expected);
    expect(err.stack!.split('\n').length).toBeGreaterThan(2);
  });

  it('never throws, even for a hostile error object, and ignores calls after close', async () => {
    const root = tempDir();
    const log = new FileSelfLog({ root });
    const hostile = {
      toString(): string {
        throw new Error('nope');
      },
    };
    expect(() => log.error('hostile', hostile)).not.toThrow();
    await log.close();
    expect(() => log.warn('after close')).not.toThrow();
    await log.flush();
    expect(read(path.join(root, 'tracer-self.log'))).toMatch(
      /^.{23}\[ERROR\] hostile\n\[unprintable error\]\n$/,
    );
  });

  it('falls back to rate-limited stderr when its own file cannot be written', async () => {
    const base = tempDir();
    const root = path.join(base, 'tracelog');
    fs.writeFileSync(root, 'a file');
    const out: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      out.push(String(c));
      return true;
    });
    try {
      const log = new FileSelfLog({ root });
      for (let i = 0; i < 5; i++) {
        log.warn('w' + i);
        await log.flush();
      }
      await log.close();
      expect(log.stats.failed).toBe(5);
      expect(out).toHaveLength(1);
      expect(out[0]).toMatch(
        /^\[sofa-tracer\] \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\[WARN\] {2}failed to open tracer-self\.log: E(EXIST|NOTDIR): /,
      );
      expect(out[0]).toContain('failed to open tracer-self.log: E');
    } finally {
      spy.mockRestore();
    }
  });
});

describe('StderrSelfLog', () => {
  it('prints at most one line per interval and tells how many it held back', () => {
    const out: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      out.push(String(c));
      return true;
    });
    try {
      const log = new StderrSelfLog(0);
      log.error('e', new Error('why'));
      expect(out[0]).toMatch(/\[ERROR\] e: why\n$/);
      const limited = new StderrSelfLog(60_000);
      limited.warn('first');
      limited.warn('second');
      limited.info('third');
      expect(out).toHaveLength(2);
      expect(out[1]).toMatch(/^\[sofa-tracer\] .{23}\[WARN\] {2}first\n$/);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('LogDirectory', () => {
  it('creates lazily cached writers, shadow ones under shadow/, per-file rolling and retention overrides', async () => {
    const root = path.join(tempDir(), 'logs', 'tracelog');
    const clock = new Clock(new Date(2024, 6, 1, 10, 59, 59).getTime());
    const selfLog = new MemorySelfLog();
    const dir = new LogDirectory({
      root,
      rolling: 'daily',
      rollingOverrides: { 'hourly-digest.log': 'hourly' },
      retentionMs: 0,
      retentionOverrides: { 'hourly-digest.log': 3_600_000 },
      capacity: 100,
      lineSeparator: '\n',
      discardReportThreshold: 500,
      logDiscardedIds: false,
      selfLog,
      now: clock.now,
    });
    expect(dir.writer('a-digest.log')).toBe(dir.writer('a-digest.log'));
    expect(dir.writer('a-digest.log', true)).not.toBe(dir.writer('a-digest.log'));
    expect(fs.existsSync(root)).toBe(false);
    dir.writer('a-digest.log').append('normal');
    dir.writer('a-digest.log', true).append('load test');
    dir.writer('hourly-digest.log').append('h10');
    await dir.flush();
    expect(read(path.join(root, 'a-digest.log'))).toBe('normal\n');
    expect(read(path.join(root, 'shadow', 'a-digest.log'))).toBe('load test\n');
    clock.t += 2000;
    dir.writer('hourly-digest.log').append('h11');
    dir.writer('a-digest.log').append('still today');
    await dir.flush();
    expect(read(path.join(root, 'hourly-digest.log.2024-07-01_10'))).toBe('h10\n');
    expect(read(path.join(root, 'hourly-digest.log'))).toBe('h11\n');
    expect(read(path.join(root, 'a-digest.log'))).toBe('normal\nstill today\n');
    expect(dir.stats()).toEqual({
      'a-digest.log': { written: 2, dropped: 0, failed: 0, queued: 0 },
      'shadow/a-digest.log': { written: 1, dropped: 0, failed: 0, queued: 0 },
      'hourly-digest.log': { written: 2, dropped: 0, failed: 0, queued: 0 },
    });
    await dir.close();
    await dir.close();
    expect(dir.writer('a-digest.log').append('late')).toBe(false);
    expect(dir.writer('new.log').append('late')).toBe(false);
    await dir.flush();
    expect(fs.existsSync(path.join(root, 'new.log'))).toBe(false);
  });
});

describe('writeStaticInfo', () => {
  it('appends one line pid,ip,zone,timezone per start', async () => {
    const root = path.join(tempDir(), 'tracelog');
    await writeStaticInfo(root, { ip: '10.0.0.7', zone: 'GZ00A' });
    await writeStaticInfo(root, { ip: '10.0.0.7', zone: '' });
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(timeZoneId()).toBe(tz);
    expect(read(path.join(root, 'static-info.log'))).toBe(
      `${process.pid},10.0.0.7,GZ00A,${tz}\n${process.pid},10.0.0.7,,${tz}\n`,
    );
  });

  it('never rejects; reports a failure to the self-log', async () => {
    const base = tempDir();
    const root = path.join(base, 'file');
    fs.writeFileSync(root, 'x');
    const selfLog = new MemorySelfLog();
    await expect(writeStaticInfo(root, { ip: '1.2.3.4', zone: '', selfLog })).resolves.toBeUndefined();
    expect(selfLog.lines[0]).toMatch(/^\[ERROR\] Failed to write static-info\.log: E(EXIST|NOTDIR)/);
    await expect(writeStaticInfo(root, { ip: '1.2.3.4', zone: '' })).resolves.toBeUndefined();
    void NOOP_SELF_LOG;
  });
});
