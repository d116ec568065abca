import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTracer } from '@sofa-tracer/core';
import { enableLookout } from '@sofa-tracer/lookout';
import { httpGet } from './helpers/http';
import { valueOf } from './helpers/prom-parse';

/**
 * The disk that should hold the logs (and tracer-self.log) is unusable: the tracelog root is a
 * regular file, which fails even for root. The drops and failures must still be visible — on
 * /metrics, scraped over HTTP.
 */
it('exposes written/dropped/failed lines per log file and the queue depth, even when tracer-self.log cannot be written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-logfiles-'));
  writeFileSync(join(dir, 'tracelog'), 'a file where the log directory should be');
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const tracer = createTracer({ appName: 'disk', logDir: dir, statLogInterval: 3600, asyncQueueCapacity: 4 });
  const lookout = enableLookout({ tracer, port: 0, host: '127.0.0.1', logger: { warn() {} } });
  try {
    // 10 spans into a queue of 4 in one tick: 6 dropped at once, the 4 queued then fail to open
    for (let i = 0; i < 10; i++) tracer.startSpan('op' + i, { childOf: null }).finish();
    await tracer.flush();
    const addr = (await lookout.address())!;
    const text = (await httpGet(`http://127.0.0.1:${addr.port}/metrics`)).body;
    const lines = (file: string, outcome: string): number | undefined =>
      valueOf(text, 'sofa_tracer_log_lines_total', { file, outcome, app: 'disk' });
    expect([lines('biz-digest.log', 'written'), lines('biz-digest.log', 'dropped'), lines('biz-digest.log', 'failed')]).toEqual([
      0, 6, 4,
    ]);
    expect(valueOf(text, 'sofa_tracer_log_queue_lines', { file: 'biz-digest.log' })).toBe(0);
    // the self-log's own losses (its drop and failure reports could not be written either)
    expect(lines('tracer-self.log', 'failed')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE sofa_tracer_log_lines_total counter');
  } finally {
    await lookout.close();
    await tracer.close();
    stderr.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('logFileMetrics: false leaves them out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-logfiles-'));
  const tracer = createTracer({ appName: 'off', logDir: dir, statLogInterval: 3600 });
  const lookout = enableLookout({ tracer, port: false, logFileMetrics: false, logger: { warn() {} } });
  try {
    tracer.startSpan('op', { childOf: null }).finish();
    await tracer.flush();
    expect((await lookout.metrics()).body).not.toContain('sofa_tracer_log_lines_total');
  } finally {
    await lookout.close();
    await tracer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
