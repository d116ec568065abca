import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { readLines, tempDir } from '../helpers/fixtures';

const DIST = JSON.stringify(join(__dirname, '..', '..', 'dist', 'index.js'));

interface Outcome {
  body: string;
  stats: Record<string, { written: number; dropped: number }>;
  stderr: string;
  dir: string;
}

/**
 * A real server process with one request in flight when SIGTERM arrives. `order` is what its
 * SIGTERM handler does: `documented` = stop accepting, let in-flight requests end, then close();
 * `close-first` = close() at once (the mistake the docs warn about).
 */
function shutdownWithRequestInFlight(order: 'documented' | 'close-first'): Promise<Outcome> {
  const dir = tempDir();
  const code = `
    const http = require('node:http');
    const { createTracer, HttpServerTracing, createHttpServerLogType } = require(${DIST});
    const t = createTracer({ appName: 'shut', logDir: ${JSON.stringify(dir)}, statLogInterval: 3600 });
    t.registerLogType(createHttpServerLogType('plain'));
    const tracing = new HttpServerTracing(t, { logType: 'plain' });
    const server = http.createServer((req, res) => {
      tracing.start(req, res);
      process.stdout.write('in-flight\\n');
      setTimeout(() => res.end('late'), 300);
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));
    process.on('SIGTERM', async () => {
      if (${JSON.stringify(order)} === 'documented') {
        await new Promise((r) => server.close(r)); // stop accepting; resolves once in-flight requests ended
        await t.close();
      } else {
        await t.close();
        await new Promise((r) => server.close(r));
      }
      process.stdout.write('stats ' + JSON.stringify(t.fileStats()) + '\\n');
      process.exit(0);
    });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  let body = '';
  child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += String(c);
      const port = /port (\d+)\n/.exec(out);
      if (port && !out.includes('sent')) {
        out += 'sent';
        const req = request({ host: '127.0.0.1', port: Number(port[1]), path: '/work' }, (res) => {
          res.on('data', (d: Buffer) => (body += String(d)));
        });
        req.on('error', reject);
        req.end();
      }
      if (out.includes('in-flight\n') && !out.includes('signalled')) {
        out += 'signalled';
        child.kill('SIGTERM');
      }
    });
    child.on('exit', () => {
      const m = /stats (.*)\n/.exec(out);
      if (!m) return reject(new Error('no stats from the child: ' + out + stderr));
      resolve({ body, stats: JSON.parse(m[1]!) as Outcome['stats'], stderr, dir });
    });
  });
}

describe('spans finished after close()', () => {
  it('documented order (stop accepting → in-flight requests end → close()): the span is written', async () => {
    const r = await shutdownWithRequestInFlight('documented');
    expect(r.body).toBe('late');
    const lines = readLines(join(r.dir, 'tracelog', 'plain-digest.log'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ 'request.url': expect.stringMatching(/\/work$/) });
    expect(r.stats['plain-digest.log']).toMatchObject({ written: 1, dropped: 0 });
  });

  it('close() first: the in-flight span is counted as dropped and reported, never lost silently', async () => {
    const r = await shutdownWithRequestInFlight('close-first');
    expect(r.body).toBe('late'); // the app still answered
    const file = join(r.dir, 'tracelog', 'plain-digest.log');
    expect(existsSync(file) ? readLines(file) : []).toEqual([]);
    expect(r.stats['plain-digest.log']).toMatchObject({ written: 0, dropped: 1 });
    expect(r.stderr).toContain(
      '[sofa-tracer] 1 line of plain-digest.log arrived after close() and was dropped (1 dropped in all); ' +
        'on shutdown, let in-flight requests end before close()',
    );
  });
});
