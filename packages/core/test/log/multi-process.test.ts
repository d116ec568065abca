import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeTempDirs, tempDir } from './helpers';

const DIST = JSON.stringify(path.join(__dirname, '..', '..', 'dist', 'log', 'index.js'));

afterEach(removeTempDirs);

/**
 * Several processes, one log file (node cluster, pm2 cluster mode, egg's workers all write
 * `~/logs/tracelog`): real child processes append to the same hourly file across a simulated hour
 * boundary (every child's clock is shifted so that the boundary falls 2 s after all have started).
 */
const PROCESSES = 4;
const BOUNDARY = new Date(2030, 0, 1, 13, 0, 0).getTime(); // local 13:00: rolled suffix _12

interface ChildResult {
  pid: number;
  appended: number;
  written: number;
  messages: string[];
}

/**
 * Starts a child that waits for `{ boundaryReal, endReal }` (over IPC), then appends lines every
 * 2 ms stamped with its simulated clock until `endReal`, closes and reports.
 */
function child(dir: string): {
  ready: Promise<void>;
  start(times: object): void;
  done: Promise<ChildResult>;
} {
  const code = `
    const { AsyncLogWriter } = require(${DIST});
    const messages = [];
    const selfLog = {
      info: (m) => messages.push('INFO ' + m), warn: (m) => messages.push('WARN ' + m),
      error: (m, e) => messages.push('ERROR ' + m + ' ' + (e && e.message)),
      flush: () => Promise.resolve(), close: () => Promise.resolve(),
    };
    process.once('message', ({ boundaryReal, endReal }) => {
      const now = () => ${BOUNDARY} + (Date.now() - boundaryReal);
      const w = new AsyncLogWriter({ file: ${JSON.stringify(path.join(dir, 'x.log'))}, rolling: 'hourly',
        retentionMs: 86400000, capacity: 100000, lineSeparator: '\\n', discardReportThreshold: 0,
        logDiscardedIds: false, selfLog, now, pathCheckIntervalMs: 50 });
      let seq = 0;
      const timer = setInterval(() => {
        for (let i = 0; i < 20; i++) w.append(JSON.stringify({ pid: process.pid, seq: seq++, t: now(), pad: 'p'.repeat(100 + (seq % 50)) }));
        if (Date.now() >= endReal) {
          clearInterval(timer);
          w.close().then(() => {
            process.stdout.write(JSON.stringify({ pid: process.pid, appended: seq, written: w.stats.written, messages }) + '\\n');
            process.disconnect();
          });
        }
      }, 2);
    });
    process.send('ready');`;
  const c = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let out = '';
  c.stdout!.on('data', (d: Buffer) => (out += String(d)));
  return {
    ready: new Promise((r) => c.once('message', () => r())),
    start: (times) => c.send(times),
    done: new Promise((resolve, reject) => {
      c.on('exit', () => {
        try {
          resolve(JSON.parse(out.trim()) as ChildResult);
        } catch {
          reject(new Error('child said: ' + out));
        }
      });
    }),
  };
}

interface Line {
  pid: number;
  seq: number;
  t: number;
}

function lines(file: string): Line[] {
  const text = fs.readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((l, i, all) => {
      try {
        return JSON.parse(l) as Line; // a torn or interleaved line fails here
      } catch {
        throw new Error(
          `${path.basename(file)} line ${i + 1} of ${all.length} is not JSON: ${JSON.stringify(l)}; around it: ${JSON.stringify(all.slice(Math.max(0, i - 1), i + 2))}`,
        );
      }
    });
}

it('four processes, one hourly file: no torn lines, rolled exactly once, nothing lost, retention once', async () => {
  const dir = tempDir();
  // rolled files of an earlier run: one past the 1-day retention, one within it
  fs.writeFileSync(path.join(dir, 'x.log.2029-12-25_10'), '{"old":1}\n');
  fs.writeFileSync(path.join(dir, 'x.log.2029-12-31_20'), '{"recent":1}\n');
  const children = Array.from({ length: PROCESSES }, () => child(dir));
  await Promise.all(children.map((c) => c.ready));
  // every child is up: the simulated boundary falls 2 s from now, the run ends 1 s after it
  const boundaryReal = Date.now() + 2000;
  for (const c of children) c.start({ boundaryReal, endReal: boundaryReal + 1000 });
  const results = await Promise.all(children.map((c) => c.done));

  expect(fs.readdirSync(dir).sort()).toEqual(['x.log', 'x.log.2029-12-31_20', 'x.log.2030-01-01_12']);
  const rolled = lines(path.join(dir, 'x.log.2030-01-01_12'));
  const active = lines(path.join(dir, 'x.log'));

  // rolled once, by one process; the old file deleted once
  const all = results.flatMap((r) => r.messages);
  expect(all.filter((m) => m.includes(' -> '))).toEqual([
    `INFO ${path.join(dir, 'x.log')} -> ${path.join(dir, 'x.log.2030-01-01_12')}`,
  ]);
  expect(all.filter((m) => m.includes('Deleted log file'))).toEqual([
    'INFO Deleted log file: x.log.2029-12-25_10',
  ]);
  expect(all.filter((m) => m.startsWith('ERROR') || m.startsWith('WARN'))).toEqual([]);

  // the rolled file holds only lines of the old hour; both files hold lines of every process
  expect(rolled.every((l) => l.t < BOUNDARY)).toBe(true);
  // (on a starved machine a child may start writing only after the boundary: at least two share it)
  expect(new Set(rolled.map((l) => l.pid)).size).toBeGreaterThanOrEqual(2);
  expect(new Set(active.filter((l) => l.t >= BOUNDARY).map((l) => l.pid)).size).toBe(PROCESSES);

  // every line of every process exactly once, in order per process
  for (const r of results) {
    const mine = [...rolled, ...active].filter((l) => l.pid === r.pid).map((l) => l.seq);
    expect(mine.length).toBe(r.appended);
    expect(r.written).toBe(r.appended);
    expect(mine).toEqual(mine.map((_, i) => i));
  }
});
