// Nest 12 (ESM only) in a child process: see support/nest12-app.js. It loads the built package
// (dist), so the package is built first (incremental: nothing to do after `npm run build`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

beforeAll(() => {
  execFileSync(
    process.execPath,
    [
      require.resolve('typescript/bin/tsc'),
      '-b',
      'packages/nest/tsconfig.json',
      'packages/fastify/tsconfig.json',
    ],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}, 120_000);

describe.each(['express', 'fastify'])('Nest 12 on %s (require(esm))', (platform) => {
  it('traces routes with template, handler, errors, guards and @Traced spans', () => {
    const logDir = mkdtempSync(join(tmpdir(), 'sofa-nest12-'));
    try {
      const out = execFileSync(
        process.execPath,
        [
          join(__dirname, 'support', 'nest12-app.js'),
          platform,
          logDir,
          '/api/users/7',
          '/api/users/boom',
          '/api/users/admin/panel',
          '/nope',
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
      );
      const { core, nest, biz } = JSON.parse(out) as {
        core: string;
        nest: Record<string, unknown>[];
        biz: Record<string, unknown>[];
      };
      expect(core).toMatch(/^12\./);
      const rows = nest.map((l) => [
        l['request.url'],
        l.spanId,
        l['result.code'],
        l.route,
        l.handler,
        l.error,
      ]);
      expect(rows.map((r) => String(r[0]).replace(/^http:\/\/[^/]+/, ''))).toEqual([
        '/api/users/7',
        '/api/users/boom',
        '/api/users/admin/panel',
        '/nope',
      ]);
      expect(rows.map((r) => r.slice(1, 5))).toEqual([
        ['0.7.1', '200', '/api/users/:id', 'UsersController.get'],
        ['0.7.1', '500', '/api/users/:id', 'UsersController.get'],
        ['0.7.1', '403', '/api/users/admin/panel', 'UsersController.admin'],
        ['0.7.1', '404', 'UNMATCHED', ''],
      ]);
      expect(rows.map((r) => r[5]).slice(0, 3)).toEqual(['', 'boom boom', 'Forbidden resource']);
      expect(biz.map((l) => [l.method, l.spanId, l['result.code']])).toEqual([
        ['UsersController.get', '0.7.1.1', '00'],
        ['UsersController.get', '0.7.1.1', '99'],
      ]);
    } finally {
      rmSync(logDir, { recursive: true, force: true });
    }
  });
});
