import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..');

/** `packages/<pkg>/dist/index.js` (built by `npm test` before jest runs). */
export function dist(pkg: string): string {
  return join(root, 'packages', pkg, 'dist', 'index.js');
}

/** True when core and zipkin are built (real-process tests need the built packages). */
export const built = existsSync(dist('zipkin')) && existsSync(dist('core'));

/** Runs `script` in a fresh Node process (killed after 20 s); resolves with its exit code, run time and stdout. */
export function runNode(
  script: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; ms: number; out: string }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, ms: Date.now() - t0, out });
    });
  });
}
