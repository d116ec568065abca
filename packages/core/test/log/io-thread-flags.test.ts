import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The log I/O thread must not inherit the app's Node flags: under `--input-type=module` its
// CommonJS source would be parsed as ESM, the thread would die at every start and every line
// would be lost. Runs against the built package, as an ESM app would load it.
const dist = path.resolve(__dirname, '../../dist/index.js');

test('an app started with --input-type=module still gets its digest lines on disk', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sofa-io-flags-'));
  try {
    const source = [
      `import core from ${JSON.stringify(dist)};`,
      `const tracer = core.init({ appName: 'esm-app', logDir: ${JSON.stringify(dir)} });`,
      `tracer.startSpan('job').finish();`,
      `await tracer.close();`,
    ].join('\n');
    execFileSync(process.execPath, ['--input-type=module', '-e', source], { timeout: 30_000 });
    const digest = fs.readFileSync(path.join(dir, 'tracelog', 'biz-digest.log'), 'utf8');
    expect(digest.split(/\r?\n/).filter(Boolean)).toHaveLength(1);
    expect(JSON.parse(digest.trim())).toMatchObject({ 'local.app': 'esm-app', 'span.kind': 'internal' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
