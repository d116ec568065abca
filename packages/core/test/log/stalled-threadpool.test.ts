import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { removeTempDirs, tempDir } from './helpers';

const DIST = JSON.stringify(path.join(__dirname, '..', '..', 'dist', 'log', 'index.js'));

/**
 * A stalled disk must not take the application's threadpool: five log files are FIFOs (a hung
 * mount behaves the same), libuv's pool has its default 4 threads. The app's own `fs.readFile`
 * and `dns.lookup` must still answer at once, and after `close()` gives up the process must be
 * able to end by itself. Real processes: a stuck threadpool cannot be cleaned up inside Jest.
 */
function runApp(dir: string): Promise<{ out: Record<string, number>; exited: boolean }> {
  const code = `
    const fs = require('node:fs');
    const dns = require('node:dns');
    const { AsyncLogWriter, NOOP_SELF_LOG } = require(${DIST});
    const t0 = Date.now();
    const writers = [];
    for (let i = 0; i < 5; i++) {
      const w = new AsyncLogWriter({ file: ${JSON.stringify(dir)} + '/f' + i + '.log', rolling: 'daily', retentionMs: 0,
        capacity: 1000, lineSeparator: '\\n', discardReportThreshold: 0, logDiscardedIds: false,
        selfLog: NOOP_SELF_LOG, stderrWarnings: false, closeTimeoutMs: 300 });
      for (let k = 0; k < 1000; k++) w.append('x'.repeat(199)); // 200 KB: more than a pipe holds
      writers.push(w);
    }
    const out = {};
    const report = () => process.stdout.write(JSON.stringify(out) + '\\n');
    setTimeout(() => {
      const t = Date.now();
      fs.readFile(${DIST}, () => {
        out.readFileMs = Date.now() - t;
        dns.lookup('localhost', () => {
          out.lookupMs = Date.now() - t - out.readFileMs;
          Promise.all(writers.map((w) => w.close())).then(() => {
            out.closedAtMs = Date.now() - t0;
            out.failed = writers.reduce((n, w) => n + w.stats.failed, 0);
            report();
            // no process.exit(): the process must end on its own now
          });
        });
      });
    }, 300);`;
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout!.on('data', (c: Buffer) => (text += String(c)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (_code, signal) => {
      clearTimeout(killer);
      const line = text.split('\n').find((l) => l.startsWith('{'));
      resolve({ out: line ? (JSON.parse(line) as Record<string, number>) : {}, exited: signal === null });
    });
  });
}

let readers: ChildProcess | undefined;
afterEach(async () => {
  if (readers && readers.exitCode === null) {
    const gone = new Promise((r) => readers!.once('exit', r));
    readers.kill('SIGKILL');
    await gone;
  }
  readers = undefined;
  removeTempDirs();
});

function fifos(): string {
  const dir = tempDir();
  for (let i = 0; i < 5; i++) execFileSync('mkfifo', [path.join(dir, `f${i}.log`)]);
  return dir;
}

describe('a stalled disk and the libuv threadpool', () => {
  it('FIFOs whose readers never read: app I/O answers, close() ends, the process exits by itself', async () => {
    const dir = fifos();
    // One process holds every FIFO open for reading and never reads: each write stalls once the
    // 64 KiB pipe buffer is full.
    readers = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); for (let i = 0; i < 5; i++) fs.openSync(${JSON.stringify(dir)} + '/f' + i + '.log', fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);` +
          `process.stdout.write('ready'); setInterval(() => {}, 1e9);`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await new Promise((r) => readers!.stdout!.once('data', r));
    const r = await runApp(dir);
    expect(r.exited).toBe(true);
    expect(r.out.readFileMs).toBeLessThan(3000);
    expect(r.out.lookupMs).toBeLessThan(3000);
    // every line is accounted for: the stalled batches and what was queued behind them
    expect(r.out.failed).toBeGreaterThan(0);
  });

  it('FIFOs nobody opens (an open that would block forever): the same', async () => {
    const r = await runApp(fifos());
    expect(r.exited).toBe(true);
    expect(r.out.readFileMs).toBeLessThan(3000);
    expect(r.out.lookupMs).toBeLessThan(3000);
    expect(r.out.failed).toBe(5000);
  });
});
