import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeTempDirs, tempDir } from './helpers';

const DIST = JSON.stringify(path.join(__dirname, '..', '..', 'dist', 'index.js'));

afterEach(removeTempDirs);

/** Runs a small traced app in a real process with `flags` and `env`; returns its stderr and lines. */
function runApp(
  flags: string[],
  env: Record<string, string> = {},
): { stderr: string; lines: string[]; threads: number } {
  const dir = tempDir();
  const source = `
    const { init } = require(${DIST});
    const t = init({ appName: 'fallback', logDir: ${JSON.stringify(dir)} });
    // a collection between writes: the fallback must hold raw descriptors, not FileHandles that
    // close themselves when collected
    (async () => {
      t.startSpan('job0').finish();
      await t.flush();
      global.gc();
      await new Promise((r) => setTimeout(r, 50));
      for (let i = 1; i < 3; i++) t.startSpan('job' + i).finish();
      await t.flush();
    })().then(() => t.close()).then(() => {
      const threads = /Threads:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1];
      process.stdout.write('closed ' + threads);
    });`;
  const r = spawnSync(process.execPath, ['--expose-gc', ...flags, '-e', source], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const m = /^closed (\d+)$/.exec(r.stdout);
  expect(m).not.toBeNull();
  const file = path.join(dir, 'tracelog', 'biz-digest.log');
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split(/\r?\n/).filter(Boolean) : [];
  return { stderr: r.stderr, lines, threads: Number(m![1]) };
}

it('where worker threads are not allowed (permission model without --allow-worker), lines are still written', () => {
  const permission = process.allowedNodeEnvironmentFlags.has('--permission')
    ? '--permission'
    : '--experimental-permission';
  const r = runApp([permission, '--allow-fs-read=*', '--allow-fs-write=*']);
  expect(r.lines).toHaveLength(3);
  // (Node 22+ adds "Use --allow-worker to manage permissions." to the message)
  expect(r.stderr).toMatch(
    /\[sofa-tracer\] log I\/O thread could not start \(Access to this API has been restricted[^)]*\); writing through the libuv threadpool\n/,
  );
});

it('SOFA_TRACER_LOG_IO_THREAD=off writes through the threadpool without starting the thread', () => {
  // a pool of 16 threads: started (all at once) by the first threadpool call
  const off = runApp([], { SOFA_TRACER_LOG_IO_THREAD: 'off', UV_THREADPOOL_SIZE: '16' });
  const on = runApp([], { UV_THREADPOOL_SIZE: '16' });
  expect(off.lines).toHaveLength(3);
  expect(on.lines).toHaveLength(3);
  expect(off.stderr).not.toContain('log I/O thread');
  // the fallback started libuv's pool; with the I/O thread no file operation (static-info.log
  // included) touched the pool, so it never started: one more OS thread instead of 16
  expect(off.threads - on.threads).toBeGreaterThanOrEqual(12);
});

/**
 * The fallback (no I/O thread) must use at most ONE threadpool thread in all: every fs call of
 * the writers is counted while in flight, in a real process, with five FIFO log files whose reader
 * never reads (full pipes: EAGAIN and retries), five FIFOs nobody opens (ENXIO and retries) and
 * five regular files, all written at once. (Before, each file's operations ran concurrently.)
 */
it('SOFA_TRACER_LOG_IO_THREAD=off: FIFOs and regular files, never more than one fs call in flight', async () => {
  const { spawn, execFileSync } = require('node:child_process') as typeof import('node:child_process');
  const dir = tempDir();
  for (let i = 0; i < 10; i++) execFileSync('mkfifo', [path.join(dir, `p${i}.log`)]);
  const reader = spawn(
    process.execPath,
    [
      '-e',
      `const fs = require('fs'); for (let i = 0; i < 5; i++) fs.openSync(${JSON.stringify(dir)} + '/p' + i + '.log', fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);` +
        `process.stdout.write('ready'); setInterval(() => {}, 1e9);`,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  try {
    await new Promise((r) => reader.stdout!.once('data', r));
    const LOG = JSON.stringify(path.join(__dirname, '..', '..', 'dist', 'log', 'index.js'));
    const code = `
      const fs = require('node:fs');
      let inFlight = 0, max = 0, calls = 0;
      const enter = () => { calls++; if (++inFlight > max) max = inFlight; };
      for (const name of ['open', 'close', 'write', 'read', 'fstat', 'ftruncate']) {
        const orig = fs[name];
        fs[name] = function (...args) {
          const cb = args.pop();
          enter();
          return orig.call(this, ...args, function (...r) { inFlight--; return cb.apply(this, r); });
        };
      }
      for (const name of ['mkdir', 'stat', 'lstat', 'rename', 'link', 'readdir', 'unlink']) {
        const orig = fs.promises[name];
        fs.promises[name] = function (...args) {
          enter();
          return orig.apply(this, args).finally(() => inFlight--);
        };
      }
      const { AsyncLogWriter, NOOP_SELF_LOG } = require(${LOG});
      const writers = [];
      const files = [];
      for (let i = 0; i < 10; i++) files.push('p' + i + '.log');
      for (let i = 0; i < 5; i++) files.push('r' + i + '.log');
      for (const f of files) {
        const w = new AsyncLogWriter({ file: ${JSON.stringify(dir)} + '/' + f, rolling: 'daily', retentionMs: 0,
          capacity: 2000, lineSeparator: '\\n', discardReportThreshold: 0, logDiscardedIds: false,
          selfLog: NOOP_SELF_LOG, stderrWarnings: false, closeTimeoutMs: 1000 });
        for (let k = 0; k < 1000; k++) w.append('x'.repeat(199)); // 200 KB: more than a pipe holds
        writers.push(w);
      }
      setTimeout(() => {
        Promise.all(writers.map((w) => w.close())).then(() => {
          const stats = writers.map((w) => w.stats);
          process.stdout.write(JSON.stringify({ max, calls, written: stats.slice(10).map((s) => s.written) }) + '\\n');
        });
      }, 500);`;
    const out = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['-e', code], {
        env: { ...process.env, SOFA_TRACER_LOG_IO_THREAD: 'off' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout!.on('data', (c: Buffer) => (text += String(c)));
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('exit', () => {
        clearTimeout(killer);
        resolve(text);
      });
    });
    const r = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as {
      max: number;
      calls: number;
      written: number[];
    };
    expect(r.calls).toBeGreaterThan(30);
    expect(r.max).toBe(1);
    // the regular files got every line despite the stalled ones
    expect(r.written).toEqual([1000, 1000, 1000, 1000, 1000]);
  } finally {
    reader.kill('SIGKILL');
  }
}, 30_000);
