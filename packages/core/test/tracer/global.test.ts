import { join } from 'node:path';
import { getTracer, init, resolveTracer, tryGetTracer } from '../../src';
import { readLines, tempDir } from '../helpers/fixtures';

describe('the global tracer', () => {
  it('init() creates it, returns the same one while it runs, and a new one after close()', async () => {
    expect(() => getTracer()).toThrow(/call init\(\{ appName/);
    expect(tryGetTracer()).toBeUndefined();
    const dir = tempDir();
    const t = init({ appName: 'g', logDir: dir });
    expect(getTracer()).toBe(t);
    expect(init({ appName: 'other' })).toBe(t);
    expect(resolveTracer()).toBe(t);
    await t.close();
    expect(tryGetTracer()).toBeUndefined();
    const t2 = init({ appName: 'g2', logDir: dir });
    expect(t2).not.toBe(t);
    await t2.close();
    const info = readLines(join(dir, 'tracelog', 'static-info.log'));
    expect(info[0]).toMatch(new RegExp(`^${process.pid},\\d+\\.\\d+\\.\\d+\\.\\d+,,[A-Za-z_/+-]+$`));
  });

  it('keeps no timer alive: a process that only inits exits by itself', async () => {
    const { spawnSync } = require('node:child_process');
    const dir = tempDir();
    const code = `const { init } = require(${JSON.stringify(join(__dirname, '..', '..', 'dist', 'index.js'))});
      const t = init({ appName: 'exit', logDir: ${JSON.stringify(dir)} });
      t.startSpan('x').finish();`;
    const r = spawnSync(process.execPath, ['-e', code], { timeout: 10_000 });
    expect(r.status).toBe(0);
  });
});
