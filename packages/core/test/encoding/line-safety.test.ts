import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTracer } from '../../src';
import { createHttpServerLogType, HttpServerTracing } from '../../src/http';

/**
 * Digest lines must stay one line for line-based tools, not only for JSON parsers: hostile bytes
 * in a Host header (C1 controls) and decoded baggage (U+2028/U+2029) arrive over a raw socket,
 * and the file is then split by Python's `splitlines`, which breaks on U+0085/U+2028/U+2029.
 */
describe('digest lines under hostile bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sofa-line-safety-'));
  let server: Server;
  let port = 0;
  const tracers: ReturnType<typeof createTracer>[] = [];

  function serve(format: 'json' | 'legacy'): Promise<void> {
    const tracer = createTracer({
      appName: 'safe',
      logDir: join(dir, format),
      statLogInterval: 3600,
      jsonOutput: format === 'json',
    });
    tracers.push(tracer);
    tracer.registerLogType(createHttpServerLogType('plain'));
    const tracing = new HttpServerTracing(tracer, { logType: 'plain' });
    server = createServer((req, res) => {
      tracing.start(req, res);
      res.end('ok');
    });
    return new Promise<void>((r) =>
      server.listen(0, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        r();
      }),
    );
  }

  afterEach(async () => {
    await new Promise((r) => server.close(r));
  });
  afterAll(async () => {
    for (const t of tracers) await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function rawRequest(): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => {
        const head = Buffer.concat([
          Buffer.from('GET /x HTTP/1.1\r\nHost: h'),
          Buffer.from([0x85, 0x9b]), // NEL and CSI as obs-text header bytes (latin1)
          Buffer.from(
            ':1\r\nX-B3-TraceId: 0a1b2c3d4e5f60718293a4b5c6d7e8f9\r\nX-B3-SpanId: 0.1\r\n' +
              'baggage-note: a%E2%80%A8b%E2%80%A9c\r\nConnection: close\r\n\r\n',
          ),
        ]);
        s.end(head);
      });
      s.on('data', () => undefined);
      s.on('close', () => resolve());
      s.on('error', reject);
    });
  }

  function pythonLineCount(file: string): number {
    const out = execFileSync('python3', [
      '-c',
      'import sys; print(len(open(sys.argv[1], encoding="utf-8", newline="").read().splitlines()))',
      file,
    ]);
    return Number(String(out).trim());
  }

  it.each(['json', 'legacy'] as const)('%s format: one request is one line for splitlines', async (format) => {
    await serve(format);
    await rawRequest();
    await rawRequest();
    const tracer = tracers[tracers.length - 1]!;
    const file = join(dir, format, 'tracelog', 'plain-digest.log');
    for (let i = 0; i < 500 && !(existsSync(file) && readFileSync(file, 'utf8').split('\r\n').length > 2); i++) {
      await tracer.flush();
      await new Promise((r) => setTimeout(r, 10));
    }
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/[\u0080-\u009f\u2028\u2029\u007f]/);
    expect(pythonLineCount(file)).toBe(2);
    const first = text.split('\r\n')[0]!;
    if (format === 'json') {
      const line = JSON.parse(first) as Record<string, string>;
      // the values survive, escaped: a JSON reader gets the original characters back
      expect(line['request.url']).toBe('http://h\u0085\u009b:1/x');
      expect(line['biz.baggage']).toContain('a\u2028b\u2029c');
      expect(first).toContain('h\\u0085\\u009b:1');
    } else {
      expect(first).toContain('http://h%C2%85%C2%9B:1/x');
    }
  });
});
