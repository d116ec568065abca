import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `import` users: koa 3's ESM entry, @koa/router 15's ESM build and this package's ESM entry
 * (the built dist, as `npm test` builds first), in a real Node process — one request, one line.
 */
it('works from ESM: import Koa, Router and sofaTracer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sofa-koa-esm-'));
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      [join(__dirname, 'fixtures', 'esm-app.mjs'), dir],
      { timeout: 20000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );
  expect(out).toBe('esm 9');
  const line = JSON.parse(readFileSync(join(dir, 'tracelog', 'koa-digest.log'), 'utf8').split('\n')[0]!);
  expect(line).toMatchObject({ 'local.app': 'esm-app', route: '/esm/users/:id', 'result.code': '200' });
  rmSync(dir, { recursive: true, force: true });
});
