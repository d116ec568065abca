import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { built, dist, runNode } from './support/child';
import { startZipkinReceiver, type ZipkinReceiver } from './support/zipkin-receiver';

/**
 * In a real process, against a collector that never answers: the reporter must never keep the
 * process alive (timers and sockets unref'd), and `close()` must return by its deadline.
 * Runs the built packages (npm test builds first).
 */
async function run(
  mode: 'no-close' | 'close',
  baseUrl: string,
): Promise<{ code: number | null; ms: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'zipkin-exit-'));
  const script = `
    const { createTracer } = require(${JSON.stringify(dist('core'))});
    const { enableZipkin } = require(${JSON.stringify(dist('zipkin'))});
    const tracer = createTracer({ appName: 'exit-test', logDir: ${JSON.stringify(dir)} });
    const zipkin = enableZipkin({ tracer, baseUrl: ${JSON.stringify(baseUrl)}, flushIntervalMs: 10,
      timeoutMs: 60000, closeTimeoutMs: 500 });
    for (let i = 0; i < 100; i++) tracer.startSpan('job', { kind: 'server' }).finish();
    setTimeout(async () => {
      if (${JSON.stringify(mode)} === 'close') {
        const t0 = Date.now();
        await zipkin.close();
        process.stdout.write(JSON.stringify({ closeMs: Date.now() - t0, stats: zipkin.stats() }));
      }
      await tracer.close();
    }, 200);`;
  try {
    return await runNode(script);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

(built ? describe : describe.skip)('a process with a hanging collector', () => {
  let receiver: ZipkinReceiver;
  beforeAll(async () => {
    receiver = await startZipkinReceiver(() => 'hang');
  });
  afterAll(() => receiver.close());

  it('exits on its own while a POST hangs (never close()d): nothing of the reporter holds the loop', async () => {
    const r = await run('no-close', receiver.baseUrl);
    expect(r.code).toBe(0);
    expect(receiver.requests.length).toBeGreaterThan(0); // a request really was in flight
    expect(r.ms).toBeLessThan(15_000); // the request timeout is 60 s
  });

  it('close() returns by its deadline and counts what it could not send', async () => {
    const r = await run('close', receiver.baseUrl);
    expect(r.code).toBe(0);
    const { closeMs, stats } = JSON.parse(r.out) as { closeMs: number; stats: Record<string, number> };
    expect(closeMs).toBeLessThan(5000);
    expect(closeMs).toBeGreaterThanOrEqual(400);
    expect(stats).toMatchObject({ reported: 100, sent: 0, dropped: 100 });
  });
});
