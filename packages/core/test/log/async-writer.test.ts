import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileSelfLog } from '../../src/log';
import { MemorySelfLog, read, removeTempDirs, tempDir, makeWriter, waitFor } from './helpers';

afterEach(removeTempDirs);

const writer = makeWriter;

describe('AsyncLogWriter', () => {
  it('writes the exact lines, in order, creating the directory', async () => {
    const file = path.join(tempDir(), 'a', 'b', 'x-digest.log');
    const w = writer(file);
    expect(w.append('{"a":1}')).toBe(true);
    expect(w.append('second line')).toBe(true);
    expect(w.append('ünïcødé ✓')).toBe(true);
    await w.flush();
    expect(read(file)).toBe('{"a":1}\nsecond line\nünïcødé ✓\n');
    expect(w.stats).toEqual({ written: 3, dropped: 0, failed: 0, queued: 0 });
    await w.close();
  });

  it('encoded lines go straight into the queue: exact bytes in order with string lines, across many chunks', async () => {
    const file = path.join(tempDir(), 'x.log');
    const w = writer(file, { capacity: 100_000 });
    const expected: string[] = [];
    // ~3 MB in all: chunks fill, are handed to the I/O thread, come back and are reused.
    for (let i = 0; i < 30_000; i++) {
      if (i % 3 === 0) {
        const line = `string ${i} ü`;
        expect(w.append(line)).toBe(true);
        expected.push(line);
      } else {
        const pad = 'p'.repeat(i % 150);
        expect(
          w.appendEncoded(
            (sink, n: number, tail: string) => {
              sink.ascii('{"n":');
              sink.number(n);
              sink.ascii(',"s":');
              sink.json(tail);
              sink.ascii('}');
            },
            i,
            pad + '"\u2028',
          ),
        ).toBe(true);
        expected.push(`{"n":${i},"s":${JSON.stringify(pad + '"').slice(0, -1)}\\u2028"}`);
      }
      if (i % 5000 === 0) await new Promise((r) => setImmediate(r));
    }
    await w.flush();
    expect(read(file) === expected.join('\n') + '\n').toBe(true);
    expect(w.stats).toEqual({ written: 30_000, dropped: 0, failed: 0, queued: 0 });
    expect(w.batches).toBeLessThan(100);
    await w.close();
  });

  it('an encoder that throws loses only its own line: counted failed, reported, nothing thrown', async () => {
    const file = path.join(tempDir(), 'x.log');
    const selfLog = new MemorySelfLog();
    const w = writer(file, { selfLog, stderrWarnings: false });
    w.append('before');
    const ok = w.appendEncoded(
      (sink) => {
        sink.ascii('half written');
        throw new Error('encoder bug');
      },
      0,
      0,
    );
    expect(ok).toBe(false);
    w.appendEncoded((sink, a: string) => sink.ascii(a), 'after', 0);
    await w.flush();
    expect(read(file)).toBe('before\nafter\n');
    expect(w.stats).toEqual({ written: 2, dropped: 0, failed: 1, queued: 0 });
    expect(selfLog.lines.some((l) => /failed to encode a line for .*x\.log: encoder bug/.test(l))).toBe(true);
    await w.close();
  });

  it('does no I/O on the caller stack: nothing is on disk right after append', async () => {
    const file = path.join(tempDir(), 'x.log');
    const w = writer(file);
    w.append('line');
    expect(fs.existsSync(file)).toBe(false);
    expect(w.stats.queued).toBe(1);
    await w.close();
    expect(read(file)).toBe('line\n');
  });

  it('a file a crashed process left inside a line gets a separator before the next line', async () => {
    const file = path.join(tempDir(), 'x.log');
    fs.writeFileSync(file, '{"whole":1}\n{"torn');
    const quiet = new Date(Date.now() - 60_000);
    fs.utimesSync(file, quiet, quiet); // nobody has written to it for a minute
    const w = writer(file);
    w.append('{"next":2}');
    await w.close();
    expect(read(file)).toBe('{"whole":1}\n{"torn\n{"next":2}\n');
  });

  it('a file another process wrote to just now is not given a separator (its append may be half done)', async () => {
    // A reader can see another process's large O_APPEND write half copied; a separator written
    // then lands after that write completes and leaves an empty line between two whole ones.
    const file = path.join(tempDir(), 'x.log');
    fs.writeFileSync(file, '{"whole":1}\n{"being-writ');
    const w = writer(file);
    w.append('{"next":2}');
    await w.close();
    expect(read(file)).toBe('{"whole":1}\n{"being-writ{"next":2}\n');
  });

  it('uses the configured line separator', async () => {
    const file = path.join(tempDir(), 'x.log');
    const w = writer(file, { lineSeparator: '\r\n' });
    w.append('a');
    w.append('b');
    await w.close();
    expect(read(file)).toBe('a\r\nb\r\n');
  });

  it('batches lines appended in one tick into one write and keeps order across many batches', async () => {
    const file = path.join(tempDir(), 'x.log');
    const w = writer(file, { capacity: 100_000 });
    for (let i = 0; i < 1000; i++) w.append('line ' + i);
    await w.flush();
    expect(w.batches).toBe(1);
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 50; i++) w.append(`r${round} ${i}`);
      await new Promise((r) => setImmediate(r));
    }
    await w.close();
    const lines = read(file).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(2000);
    expect(lines.slice(0, 1000)).toEqual(Array.from({ length: 1000 }, (_, i) => 'line ' + i));
    const expected: string[] = [];
    for (let round = 0; round < 20; round++) for (let i = 0; i < 50; i++) expected.push(`r${round} ${i}`);
    expect(lines.slice(1000)).toEqual(expected);
    expect(w.batches).toBeLessThan(30);
  });

  it('lines appended over many event-loop turns wait for the drain delay and go in one write', async () => {
    // Each write is a round trip to the log I/O thread; one per turn cost a busy server ~0.5 µs a request.
    const file = path.join(tempDir(), 'x.log');
    const w = writer(file, { capacity: 100_000, drainDelayMs: 1000 });
    for (let turn = 0; turn < 40; turn++) {
      w.append('t' + turn);
      await new Promise((r) => setImmediate(r));
    }
    expect(fs.existsSync(file)).toBe(false); // nothing written yet: still within the delay
    await waitFor(() => fs.existsSync(file) && read(file).endsWith('t39\n'));
    expect(w.batches).toBe(1);
    expect(read(file)).toBe(Array.from({ length: 40 }, (_, i) => 't' + i + '\n').join(''));
    await w.close();
  });

  it('by default a line reaches the file within moments, without flush()', async () => {
    const file = path.join(tempDir(), 'x.log');
    const w = writer(file);
    w.append('soon');
    await waitFor(() => fs.existsSync(file) && read(file) === 'soon\n', 2000);
    await w.close();
  });

  it('a queue that reaches drainLines is written at once, without waiting for the delay', async () => {
    const file = path.join(tempDir(), 'x.log');
    const w = writer(file, { capacity: 100, drainDelayMs: 3_600_000, drainLines: 5 });
    for (let i = 0; i < 4; i++) w.append('a' + i);
    await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(file)).toBe(false); // 4 < drainLines: held back by the (1 h) delay
    w.append('a4');
    await waitFor(() => fs.existsSync(file) && read(file) === 'a0\na1\na2\na3\na4\n');
    expect(w.stats.written).toBe(5);
    await w.close();
  });

  it('flush() and close() do not wait for the drain delay', async () => {
    const file = path.join(tempDir(), 'x.log');
    const w = writer(file, { drainDelayMs: 3_600_000 });
    w.append('one');
    await w.flush(); // would time the test out if flush waited for the (1 h) delay
    expect(read(file)).toBe('one\n');
    w.append('two');
    await w.close();
    expect(read(file)).toBe('one\ntwo\n');
  });

  it('drainDelayMs: 0 writes on the next turn', async () => {
    const file = path.join(tempDir(), 'x.log');
    const w = writer(file, { drainDelayMs: 0 });
    w.append('now');
    await waitFor(() => fs.existsSync(file) && read(file) === 'now\n', 2000);
    await w.close();
  });

  it('appends to an existing file of today rather than truncating it', async () => {
    const file = path.join(tempDir(), 'x.log');
    fs.writeFileSync(file, 'earlier\n');
    const w = writer(file);
    w.append('later');
    await w.close();
    expect(read(file)).toBe('earlier\nlater\n');
  });

  it('drops and counts lines past the capacity and reports every threshold in tracer-self.log', async () => {
    const root = tempDir();
    const selfLog = new FileSelfLog({ root });
    const w = writer(path.join(root, 'x-digest.log'), {
      capacity: 10,
      discardReportThreshold: 5,
      selfLog,
      name: 'x-digest.log',
    });
    const accepted: boolean[] = [];
    for (let i = 0; i < 27; i++) accepted.push(w.append('line ' + i, 'trace' + i, '0.' + i));
    expect(accepted.filter(Boolean)).toHaveLength(10);
    expect(w.stats).toEqual({ written: 0, dropped: 17, failed: 0, queued: 10 });
    await w.close();
    await selfLog.close();
    expect(read(path.join(root, 'x-digest.log'))).toBe(
      Array.from({ length: 10 }, (_, i) => 'line ' + i + '\n').join(''),
    );
    const self = read(path.join(root, 'tracer-self.log')).trimEnd().split('\n');
    const TS = '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}';
    // 17 drops: three reports of 5 while running, the remaining 2 at close.
    expect(self).toHaveLength(4);
    for (const l of self.slice(0, 3))
      expect(l).toMatch(new RegExp(`^${TS}\\[WARN\\]  discarded 5 logs of x-digest\\.log$`));
    expect(self[3]).toMatch(new RegExp(`^${TS}\\[WARN\\]  discarded 2 logs of x-digest\\.log$`));
    expect(self.join('\n')).not.toContain('traceId');
  });

  it('logs the ids of dropped lines when logDiscardedIds is on, bounded per report', async () => {
    const selfLog = new MemorySelfLog();
    const w = writer(path.join(tempDir(), 'x.log'), {
      capacity: 1,
      discardReportThreshold: 500,
      logDiscardedIds: true,
      selfLog,
      name: 'x.log',
    });
    w.append('kept', 't0', '0');
    w.append('dropped', '0a1b2c', '0.1.2');
    expect(selfLog.lines).toEqual(['[WARN]  discarded tracer: traceId[0a1b2c];spanId[0.1.2] of x.log']);
    for (let i = 0; i < 1000; i++) w.append('dropped', 't' + i, '0');
    // 100 id lines at most per report window (drops 1-500, 501-1000, then 1001).
    const idLines = selfLog.lines.filter((l) => l.includes('discarded tracer:'));
    expect(idLines).toHaveLength(201);
    expect(selfLog.lines.filter((l) => l.startsWith('[WARN]  discarded 500 logs'))).toEqual([
      '[WARN]  discarded 500 logs of x.log (ids of 400 not logged)',
      '[WARN]  discarded 500 logs of x.log (ids of 400 not logged)',
    ]);
    expect(w.stats.dropped).toBe(1001);
    await w.close();
  });

  it('flush resolves only after everything appended before it is on disk', async () => {
    const file = path.join(tempDir(), 'x.log');
    const w = writer(file, { capacity: 200_000 });
    const line = 'x'.repeat(200);
    for (let i = 0; i < 50_000; i++) w.append(line);
    await w.flush();
    expect(fs.statSync(file).size).toBe(50_000 * 201);
    expect(w.stats.written).toBe(50_000);
    w.append('tail');
    const p = w.flush();
    w.append('after flush');
    await p;
    expect(read(file)).toContain(line + '\ntail\n');
    await w.close();
    expect(read(file).endsWith('tail\nafter flush\n')).toBe(true);
  });

  it('close flushes, is idempotent, and ignores (counts) later appends', async () => {
    const file = path.join(tempDir(), 'x.log');
    const w = writer(file);
    for (let i = 0; i < 100; i++) w.append('l' + i);
    const c1 = w.close();
    const c2 = w.close();
    expect(c2).toBe(c1);
    await c1;
    await w.close();
    expect(w.append('late')).toBe(false);
    await w.flush();
    expect(read(file).split('\n')).toHaveLength(101);
    expect(read(file)).not.toContain('late');
    expect(w.stats).toEqual({ written: 100, dropped: 1, failed: 0, queued: 0 });
  });

  it('closes its file descriptor on close', async () => {
    const file = path.join(tempDir(), 'x.log');
    const w = writer(file);
    w.append('a');
    await w.flush();
    const openFds = (): number =>
      fs.readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return fs.readlinkSync('/proc/self/fd/' + fd) === file;
        } catch {
          return false;
        }
      }).length;
    expect(openFds()).toBe(1);
    await w.close();
    expect(openFds()).toBe(0);
  });
});
