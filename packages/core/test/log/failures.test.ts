import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AsyncLogWriter, FileSelfLog } from '../../src/log';
import { MemorySelfLog, read, removeTempDirs, tempDir, waitFor, makeWriter } from './helpers';

let stderr: jest.SpyInstance;
let stderrText: string[];
beforeEach(() => {
  stderrText = [];
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderrText.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  stderr.mockRestore();
  removeTempDirs();
});

// Failure tests retry quickly so recovery is seen within a test's time.
function writer(file: string, extra: Parameters<typeof makeWriter>[1] = {}): AsyncLogWriter {
  return makeWriter(file, { retryMinMs: 20, retryMaxMs: 100, ...extra });
}

describe('write failures', () => {
  it('an unwritable root (a regular file, fails even as root) is counted and warned once, then recovers', async () => {
    const base = tempDir();
    const root = path.join(base, 'tracelog');
    fs.writeFileSync(root, 'I am a file, not a directory');
    const selfRoot = path.join(base, 'self');
    const selfLog = new FileSelfLog({ root: selfRoot });
    const w = writer(path.join(root, 'x-digest.log'), { selfLog, name: 'x-digest.log' });

    expect(() => {
      for (let i = 0; i < 10; i++) w.append('lost ' + i);
    }).not.toThrow();
    await w.flush();
    expect(w.stats).toEqual({ written: 0, dropped: 0, failed: 10, queued: 0 });
    for (let i = 0; i < 5; i++) {
      w.append('lost again ' + i);
      await w.flush();
    }
    expect(w.stats.failed).toBe(15);

    // One warning (rate-limited) on stderr and in tracer-self.log.
    const warnings = stderrText.filter((t) => t.includes('failed to open x-digest.log'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^\[sofa-tracer\] failed to open x-digest\.log: E(EXIST|NOTDIR): .*; 10 lines lost so far, retrying\n$/,
    );
    await selfLog.flush();
    const self = read(path.join(selfRoot, 'tracer-self.log'));
    expect(self).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\[WARN\] {2}failed to open x-digest\.log: E(EXIST|NOTDIR)/,
    );
    expect(self.match(/failed to open/g)).toHaveLength(1);

    // The operator fixes the directory: writing resumes without any call from the app.
    fs.unlinkSync(root);
    w.append('back');
    await w.flush();
    expect(read(path.join(root, 'x-digest.log'))).toBe('back\n');
    expect(w.stats).toEqual({ written: 1, dropped: 0, failed: 15, queued: 0 });
    await selfLog.flush();
    expect(read(path.join(selfRoot, 'tracer-self.log'))).toContain(
      '[INFO]  resumed writing x-digest.log; 15 lines lost so far',
    );
    await w.close();
    await selfLog.close();
  });

  it('retries on its own with back-off: lines queued while failing are written once the directory is back', async () => {
    const base = tempDir();
    const root = path.join(base, 'tracelog');
    fs.writeFileSync(root, 'blocker');
    const w = writer(path.join(root, 'x.log'), { stderrWarnings: false });
    w.append('first');
    await w.flush();
    expect(w.stats.failed).toBe(1);
    w.append('waits in the queue');
    fs.unlinkSync(root);
    await waitFor(() => w.stats.written === 1);
    expect(read(path.join(root, 'x.log'))).toBe('waits in the queue\n');
    await w.close();
  });

  it('a full disk (ENOSPC, via a symlink to /dev/full) is counted and warned, and writing resumes once space is back', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.log');
    fs.symlinkSync('/dev/full', file);
    const selfLog = new MemorySelfLog();
    const w = writer(file, { selfLog, name: 'x.log' });
    w.append('a');
    w.append('b');
    await w.flush();
    expect(w.stats).toEqual({ written: 0, dropped: 0, failed: 2, queued: 0 });
    expect(selfLog.lines).toEqual([
      '[WARN]  failed to write x.log: ENOSPC: no space left on device, write; 2 lines lost so far, retrying',
    ]);
    expect(stderrText).toEqual([
      '[sofa-tracer] failed to write x.log: ENOSPC: no space left on device, write; 2 lines lost so far, retrying\n',
    ]);
    fs.unlinkSync(file);
    w.append('c');
    await w.close();
    expect(read(file)).toBe('c\n');
    expect(selfLog.lines[1]).toBe('[INFO]  resumed writing x.log; 2 lines lost so far');
  });

  it('an active file that is a directory (EISDIR) never throws and is counted', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.log');
    fs.mkdirSync(file);
    const selfLog = new MemorySelfLog();
    const w = writer(file, { selfLog, name: 'x.log' });
    w.append('a');
    await w.close();
    expect(w.stats.failed).toBe(1);
    expect(selfLog.lines[0]).toMatch(/^\[WARN\] {2}failed to open x\.log: EISDIR/);
  });

  it('rate-limits failure warnings per file and tells how many it suppressed', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'x.log'));
    const selfLog = new MemorySelfLog();
    const w = writer(path.join(dir, 'x.log'), {
      selfLog,
      name: 'x.log',
      warnIntervalMs: 1000,
      stderrWarnings: false,
    });
    for (let i = 0; i < 4; i++) {
      w.append('l' + i);
      await w.flush();
    }
    expect(selfLog.lines).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1050));
    w.append('l4');
    await w.flush();
    expect(selfLog.lines).toHaveLength(2);
    expect(selfLog.lines[1]).toMatch(
      /^\[WARN\] {2}failed to open x\.log: EISDIR: .*; 5 lines lost so far, retrying \(3 similar errors suppressed\)$/,
    );
    await w.close();
  });

  it('resumes into a new file when the directory is removed mid-run (rm -rf)', async () => {
    const root = path.join(tempDir(), 'tracelog');
    const file = path.join(root, 'x.log');
    const selfLog = new MemorySelfLog();
    const w = writer(file, { pathCheckIntervalMs: 20, selfLog, name: 'x.log' });
    w.append('one');
    await w.flush();
    expect(read(file)).toBe('one\n');
    execFileSync('rm', ['-rf', root]);
    await new Promise((r) => setTimeout(r, 40));
    w.append('two');
    await w.flush();
    expect(read(file)).toBe('two\n');
    expect(selfLog.lines).toContain('[WARN]  x.log was deleted or replaced; reopening it');
    expect(w.stats).toEqual({ written: 2, dropped: 0, failed: 0, queued: 0 });
    await w.close();
  });

  it('follows a file replaced under it (moved away by logrotate)', async () => {
    const root = tempDir();
    const file = path.join(root, 'x.log');
    const w = writer(file, { pathCheckIntervalMs: 20 });
    w.append('one');
    await w.flush();
    fs.renameSync(file, file + '.moved');
    await new Promise((r) => setTimeout(r, 40));
    w.append('two');
    await w.close();
    expect(read(file + '.moved')).toBe('one\n');
    expect(read(file)).toBe('two\n');
  });
});

describe('timers', () => {
  it("keeps no ref'd timer alive: neither the hourly clean-up nor a back-off retry holds the process open", async () => {
    // Jest's own test timeout is a ref'd timer: compare with the count before the writers exist.
    const timeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    const base = tempDir();
    const ok = writer(path.join(base, 'ok.log'), { retentionMs: 86_400_000 });
    ok.append('a');
    await ok.flush();
    fs.writeFileSync(path.join(base, 'blocked'), '');
    const failing = writer(path.join(base, 'blocked', 'x.log'), {
      stderrWarnings: false,
      retryMinMs: 60_000,
    });
    failing.append('a');
    await failing.flush();
    failing.append('waits for the retry');
    await new Promise((r) => setImmediate(r));
    expect(timeouts()).toBe(before);
    await ok.close();
    await failing.close();
    expect(failing.stats.failed).toBe(2);
  });
});

describe('stalled disk', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    child = undefined;
  });

  it('keeps memory bounded by the capacity when a write never completes, and close does not hang', async () => {
    const root = tempDir();
    const file = path.join(root, 'x.log');
    execFileSync('mkfifo', [file]);
    // The reader opens the FIFO and never reads: once the pipe buffer is full, write() blocks.
    child = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); fs.openSync(${JSON.stringify(file)}, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK); process.stdout.write('ready'); setInterval(() => {}, 1e9);`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    // The writer opens without blocking (O_NONBLOCK: a FIFO without a reader fails with ENXIO
    // instead of hanging), so the reader opens first, without blocking either.
    await new Promise((r) => child!.stdout!.once('data', r));
    const capacity = 1000;
    const selfLog = new MemorySelfLog();
    const w = writer(file, { capacity, closeTimeoutMs: 300, selfLog, name: 'x.log', stderrWarnings: false });
    const line = 'y'.repeat(199);
    // 1000 lines = 200 KB, far past the 64 KB pipe buffer: a batch (a chunk of the queue) stalls.
    for (let i = 0; i < capacity; i++) w.append(line);
    // Stalled: no batch settles and no new one starts (the I/O thread starts first).
    let seen = -1;
    await waitFor(() => {
      const stalled = w.batches > 0 && w.batches === seen && w.stats.written < capacity;
      seen = w.batches;
      return stalled;
    }, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    const batches = w.batches;
    const written = w.stats.written;
    const inFlight = capacity - w.stats.queued - written;
    // What is held in the stalled write is one chunk of whole lines (≤ 256 KiB).
    expect(inFlight).toBeGreaterThan(0);
    expect(inFlight * 200).toBeLessThanOrEqual(256 * 1024);
    let accepted = capacity;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 10_000; i++) if (w.append(line)) accepted++;
      await new Promise((r) => setImmediate(r));
      expect(w.stats.queued).toBeLessThanOrEqual(capacity);
    }
    expect(w.stats.queued).toBe(capacity);
    // The flood fills the queue back up to the capacity, and no further.
    expect(accepted).toBe(capacity + inFlight + written);
    expect(w.stats.dropped).toBe(500_000 - (inFlight + written));
    expect(w.batches).toBe(batches);
    expect(w.stats.written).toBe(written);
    expect(selfLog.lines.filter((l) => /discarded 500 logs of x\.log$/.test(l))).toHaveLength(
      Math.floor(w.stats.dropped / 500),
    );

    await w.close();
    // Given up at close: the queued lines, and the batch waiting for the full pipe (its whole
    // lines already in the pipe buffer count as written; 64 KiB holds ~327 lines of 200 bytes)
    // — at once, or a moment later on a starved machine.
    await waitFor(() => w.stats.failed + w.stats.written === accepted);
    expect(w.stats.written).toBeLessThanOrEqual(328);
    expect(selfLog.lines).toContain(
      '[WARN]  gave up writing x.log after 300 ms at close; 1000 queued lines lost',
    );
  });
});
