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
  const off = runApp([], { SOFA_TRACER_LOG_IO_THREAD: 'off' });
  const on = runApp([]);
  expect(off.lines).toHaveLength(3);
  expect(on.lines).toHaveLength(3);
  expect(off.stderr).not.toContain('log I/O thread');
  // the I/O thread is one more OS thread (and its own V8 helpers) in the process
  expect(on.threads).toBeGreaterThan(off.threads);
});
