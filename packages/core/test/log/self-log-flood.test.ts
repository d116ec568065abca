import { createServer, request, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTracer } from '../../src';
import { createHttpServerLogType, HttpServerTracing } from '../../src/http';
import { FileSelfLog, MAX_SELF_LOG_MESSAGE_CHARS } from '../../src/log';
import { read, removeTempDirs, tempDir } from './helpers';

afterEach(removeTempDirs);

/** Hostile requests over real sockets: each carries 600 `baggage-*` headers (≈ 13 KB). */
function hostileHeaders(i: number): Record<string, string> {
  const h: Record<string, string> = {
    'X-B3-TraceId': '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    'X-B3-SpanId': '0.1',
  };
  for (let k = 0; k < 600; k++) h[`baggage-k${k}x${i}`] = 'v';
  return h;
}

describe('tracer-self.log under a flood of per-request warnings', () => {
  let server: Server;
  afterEach(() => new Promise((r) => server.close(r)));

  it('hostile requests yield a few lines and a count, not one line per request', async () => {
    const dir = tempDir();
    const tracer = createTracer({ appName: 'flood', logDir: dir, statLogInterval: 3600 });
    tracer.registerLogType(createHttpServerLogType('plain'));
    const tracing = new HttpServerTracing(tracer, { logType: 'plain' });
    server = createServer((req, res) => {
      tracing.start(req, res);
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const REQUESTS = 300;
    await Promise.all(
      Array.from(
        { length: REQUESTS },
        (_, i) =>
          new Promise<void>((resolve, reject) => {
            request({ host: '127.0.0.1', port, agent, headers: hostileHeaders(i) }, (res) => {
              res.resume();
              res.on('end', resolve);
            })
              .on('error', reject)
              .end();
          }),
      ),
    );
    agent.destroy();
    await tracer.close();

    const self = read(path.join(dir, 'tracelog', 'tracer-self.log'));
    const lines = self.split('\n').filter((l) => l !== '');
    const baggage = lines.filter((l) => l.includes('biz baggage exceeds'));
    // 10 let through, then one summary counting the other 290
    expect(baggage).toHaveLength(11);
    expect(baggage[10]).toMatch(/\[WARN\] {2}290 more messages like this one were suppressed: incoming biz baggage exceeds 1024/);
    expect(Buffer.byteLength(self)).toBeLessThan(64 * 1024);
    // the app and the digest are unaffected
    expect(tracer.fileStats()['plain-digest.log']).toMatchObject({ written: REQUESTS, dropped: 0, failed: 0 });
  });
});

describe('FileSelfLog limits', () => {
  it('caps the bytes written per day, with one notice and a count', async () => {
    const root = tempDir();
    const log = new FileSelfLog({ root, maxBytesPerDay: 4096, burst: 1000 });
    // distinct kinds (the leading word differs), so only the size cap can hold them back
    for (let i = 0; i < 500; i++) log.warn(`${String.fromCharCode(97 + (i % 26)).repeat(1 + (i % 7))} message number ${i}`);
    await log.close();
    const text = read(path.join(root, 'tracer-self.log'));
    const lines = text.split('\n').filter((l) => l !== '');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4096 + 200);
    expect(lines[lines.length - 1]).toMatch(
      /\[WARN\] {2}tracer-self\.log reached its cap of 4096 bytes for today; further messages are dropped and counted until the next day$/,
    );
    expect(log.suppressed).toBe(500 - (lines.length - 1));
  });

  it('keeps one message on one line and cuts it to 2000 characters', async () => {
    const root = tempDir();
    const log = new FileSelfLog({ root });
    log.warn('header "x\r\nforged line\u2028more" rejected ' + 'y'.repeat(20_000));
    await log.close();
    const text = read(path.join(root, 'tracer-self.log'));
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toContain('header "x\\r\\nforged line\\u2028more" rejected yyy');
    expect(text).toMatch(/…\(\d+ more chars\)\n$/);
    expect(text.length).toBeLessThan(MAX_SELF_LOG_MESSAGE_CHARS + 100);
    expect(fs.existsSync(root)).toBe(true);
  });
});
