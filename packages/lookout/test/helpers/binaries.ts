import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Absolute path of a binary on PATH. Throws — never skips — when it is missing: CI installs it
 * with tools/prometheus/install.sh, and a silently skipped integration test proves nothing.
 */
export function requireBinary(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  throw new Error(
    `${name} not found on PATH. Install it with tools/prometheus/install.sh (Debian/Ubuntu package "prometheus"; CI runs it).`,
  );
}
