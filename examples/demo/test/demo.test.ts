import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The demo is the README's main command: run it exactly as a user does (a child process using
// the built packages) and check what it prints and writes.
describe('examples/demo', () => {
  const logRoot = mkdtempSync(join(tmpdir(), 'demo-test-'));
  let stdout = '';
  let status: number | null = null;

  beforeAll(() => {
    const r = spawnSync(process.execPath, [join(__dirname, '..', 'index.js')], {
      env: { ...process.env, DEMO_LOG_DIR: logRoot },
      encoding: 'utf8',
      timeout: 60_000,
    });
    stdout = r.stdout;
    status = r.status;
    if (status !== 0) console.error(r.stderr);
  }, 70_000);

  afterAll(() => rmSync(logRoot, { recursive: true, force: true }));

  it('exits 0 by itself and prints the log root', () => {
    expect(status).toBe(0);
    expect(stdout).toContain(`log root: ${logRoot}`);
  });

  it('prints one trace spanning both services: 0 → 0.1 → 0.1.1', () => {
    const lines = stdout.split('\n');
    const header = lines.findIndex((l) =>
      /^trace [0-9a-f]+: \d+ spans in demo-backend, demo-gateway$/.test(l),
    );
    expect(header).toBeGreaterThan(-1);
    const tree = lines.slice(header + 1, lines.indexOf('', header));
    expect(tree[0]).toMatch(
      /^0 server demo-gateway \[express\] GET \/checkout\/:id \(http:\/\/127\.0\.0\.1:\d+\/checkout\/7\) 200 \d+ms$/,
    );
    expect(tree[1]).toMatch(
      /^├─ 0\.1 client demo-gateway \[httpclient\] GET http:\/\/127\.0\.0\.1:\d+\/items\/7 200 \d+ms$/,
    );
    expect(tree[2]).toMatch(
      /^│ {2}└─ 0\.1\.1 server demo-backend \[express\] GET \/items\/:id \(http:\/\/127\.0\.0\.1:\d+\/items\/7\) 200 \d+ms$/,
    );
    expect(tree[3]).toMatch(
      /^└─ 0\.2 client demo-gateway \[httpclient\] GET http:\/\/127\.0\.0\.1:\d+\/price\/7 200 \d+ms$/,
    );
    expect(tree[4]).toMatch(
      /^ {3}└─ 0\.2\.1 server demo-backend \[express\] GET \/price\/:id \(http:\/\/127\.0\.0\.1:\d+\/price\/7\) 200 \d+ms$/,
    );
  });

  it('wrote each service its own digest logs under the one root, the failing call included', () => {
    expect(readdirSync(logRoot).sort()).toEqual(['demo-backend', 'demo-gateway']);
    const backend = readFileSync(join(logRoot, 'demo-backend', 'tracelog', 'express-digest.log'), 'utf8');
    const boom = backend
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((d) => d.route === '/boom');
    expect(boom['result.code']).toBe('500');
    expect(boom.error).toContain('inventory service unavailable');
  });

  it('printed Lookout metrics from /metrics', () => {
    expect(stdout).toMatch(/metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/);
  });
});
