// app.inject() in a child process: fastify 5's light-my-request requires the ESM-only cookie 2,
// which jest's CommonJS runtime cannot load (plain Node ≥ 20.19 can). The child loads the built
// package (dist), so it is built first (incremental: nothing to do after `npm run build`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

beforeAll(() => {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-b', 'packages/fastify/tsconfig.json'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}, 120_000);

describe.each([
  ['fastify 4', 'fastify4', /^4\./],
  ['fastify 5', 'fastify', /^5\./],
])('%s: app.inject()', (_label, pkg, major) => {
  it('is traced with the status it answered, the route, the error and the incoming context', () => {
    const logDir = mkdtempSync(join(tmpdir(), 'sofa-fastify-inject-'));
    try {
      const out = execFileSync(process.execPath, [join(__dirname, 'support', 'inject-app.js'), pkg, logDir], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });
      const { version, responses, open, lines } = JSON.parse(out) as {
        version: string;
        responses: [number, string][];
        open: number;
        lines: Record<string, unknown>[];
      };
      expect(version).toMatch(major);
      expect(responses.map((r) => r[0])).toEqual([200, 500, 200]);
      // the handlers ran inside the request span
      expect(JSON.parse(responses[0]![1])).toEqual({ ok: true, span: '0.4.1' });
      expect(JSON.parse(responses[2]![1])).toEqual({ got: { n: 1 }, span: '0' });
      expect(open).toBe(0);
      expect(
        lines.map((l) => [
          l['request.url'],
          l.method,
          l.traceId === '0123456789abcdef',
          l.spanId,
          l['result.code'],
          l.route,
          l.error,
        ]),
      ).toEqual([
        ['http://localhost:80/users/5', 'GET', true, '0.4.1', '200', '/users/:id', ''],
        ['http://localhost:80/throw', 'GET', false, '0', '500', '/throw', 'boom'],
        ['http://localhost:80/echo', 'POST', false, '0', '200', '/echo', ''],
      ]);
      expect(lines[2]!['req.size.bytes']).toBe(7);
    } finally {
      rmSync(logDir, { recursive: true, force: true });
    }
  });
});
