import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeTempDirs, tempDir } from './helpers';

const DIST = JSON.stringify(path.join(__dirname, '..', '..', 'dist', 'index.js'));

afterEach(removeTempDirs);

/**
 * `static-info.log` is written at every tracer start. When it is a FIFO nobody reads (a hung mount
 * behaves the same), its open must hold no libuv threadpool thread: four tracers (libuv's pool
 * has 4 threads) start in a real process, the app's own `fs.readFile` and `dns.lookup` must answer
 * at once, and after `close()` the process must end by itself. (Before, each start's blocking
 * `open` held a pool thread forever: the app's fs and DNS never answered, the process never ended.)
 */
function runApp(dir: string, env: Record<string, string>): Promise<{ out: Record<string, number>; exited: boolean }> {
  const code = `
    const fs = require('node:fs');
    const dns = require('node:dns');
    const { createTracer } = require(${DIST});
    const tracers = [];
    for (let i = 0; i < 4; i++) tracers.push(createTracer({ appName: 'fifo' + i, logDir: ${JSON.stringify(dir)} }));
    const out = {};
    setTimeout(() => {
      const t = Date.now();
      fs.readFile(${DIST}, () => {
        out.readFileMs = Date.now() - t;
        dns.lookup('localhost', () => {
          out.lookupMs = Date.now() - t - out.readFileMs;
          for (const tr of tracers) tr.startSpan('job').finish();
          Promise.all(tracers.map((tr) => tr.close())).then(() => {
            out.closeMs = Date.now() - t;
            process.stdout.write(JSON.stringify(out) + '\\n');
            // no process.exit(): the process must end on its own
          });
        });
      });
    }, 300);`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', code], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += String(c)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (_code, signal) => {
      clearTimeout(killer);
      const line = text.split('\n').find((l) => l.startsWith('{'));
      resolve({ out: line ? (JSON.parse(line) as Record<string, number>) : {}, exited: signal === null });
    });
  });
}

describe.each([
  ['on the log I/O thread', {}],
  ['in the fallback mode (SOFA_TRACER_LOG_IO_THREAD=off)', { SOFA_TRACER_LOG_IO_THREAD: 'off' }],
])('static-info.log is a FIFO nobody reads, %s', (_name, env) => {
  it('the app’s fs and DNS answer, the other files are written, the process exits by itself', async () => {
    const dir = tempDir();
    const root = path.join(dir, 'tracelog');
    fs.mkdirSync(root);
    execFileSync('mkfifo', [path.join(root, 'static-info.log')]);
    const r = await runApp(dir, env);
    expect(r.exited).toBe(true);
    expect(r.out.readFileMs).toBeLessThan(3000);
    expect(r.out.lookupMs).toBeLessThan(3000);
    expect(r.out.closeMs).toBeLessThan(5000);
    // the failure is reported, and the digest lines of the four tracers were written
    expect(fs.readFileSync(path.join(root, 'tracer-self.log'), 'utf8')).toMatch(
      /\[ERROR\] Failed to write static-info\.log\s+Error: ENXIO/,
    );
    const digest = fs.readFileSync(path.join(root, 'biz-digest.log'), 'utf8').split(/\r?\n/).filter(Boolean);
    expect(digest).toHaveLength(4);
    expect(fs.statSync(path.join(root, 'static-info.log')).isFIFO()).toBe(true);
  });
});
