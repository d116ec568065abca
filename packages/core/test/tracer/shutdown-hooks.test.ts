import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { readLines, tempDir } from '../helpers/fixtures';

const DIST = JSON.stringify(join(__dirname, '..', '..', 'dist', 'index.js'));

// A real process: spans finished just before SIGTERM must be on disk when it exits, and the
// process must still exit on the signal as it would without the tracer.
function runUntilSignal(
  shutdownHooks: boolean,
  extra = '',
): Promise<{ code: number | null; signal: string | null; dir: string }> {
  const dir = tempDir();
  const code = `
    const { init } = require(${DIST});
    const t = init({ appName: 'hooks', logDir: ${JSON.stringify(dir)}, shutdownHooks: ${shutdownHooks}, statLogInterval: 3600 });
    ${extra}
    for (let i = 0; i < 500; i++) t.startSpan('op' + i, { childOf: null }).finish();
    setInterval(() => {}, 1000); // something keeps the process alive until the signal
    process.stdout.write('ready\\n');`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout.once('data', () => child.kill('SIGTERM'));
    child.on('exit', (c, s) => resolve({ code: c, signal: s, dir }));
  });
}

describe('shutdownHooks (opt-in)', () => {
  it('on SIGTERM flushes every finished span and stat, then exits by the signal', async () => {
    const r = await runUntilSignal(true);
    expect(r.signal).toBe('SIGTERM');
    expect(readLines(join(r.dir, 'tracelog', 'biz-digest.log'))).toHaveLength(500);
    const stats = readLines(join(r.dir, 'tracelog', 'biz-stat.log')).map((l) => JSON.parse(l));
    expect(stats.reduce((n, s) => n + s.count, 0)).toBe(500);
  });

  it('leaves exiting to the app when the app has its own SIGTERM listener', async () => {
    // The app exits a second after the signal: time for the flush (starting the log I/O thread
    // and writing took up to 0.3 s on the shared 2-core CI machine), not a measure of its speed.
    const r = await runUntilSignal(
      true,
      `process.on('SIGTERM', () => setTimeout(() => process.exit(7), 1000));`,
    );
    expect(r.code).toBe(7);
    expect(readLines(join(r.dir, 'tracelog', 'biz-digest.log'))).toHaveLength(500);
  });

  it('is off by default, and close() removes the hooks it added', async () => {
    const { createTracer } = require('../../src');
    const before = ['SIGTERM', 'SIGINT', 'beforeExit'].map((e) => process.listenerCount(e));
    const off = createTracer({ appName: 'a', logDir: tempDir() });
    expect(['SIGTERM', 'SIGINT', 'beforeExit'].map((e) => process.listenerCount(e))).toEqual(before);
    const on = createTracer({ appName: 'a', logDir: tempDir(), shutdownHooks: true });
    expect(['SIGTERM', 'SIGINT', 'beforeExit'].map((e) => process.listenerCount(e))).toEqual(
      before.map((n) => n + 1),
    );
    await on.close();
    await off.close();
    expect(['SIGTERM', 'SIGINT', 'beforeExit'].map((e) => process.listenerCount(e))).toEqual(before);
  });
});
