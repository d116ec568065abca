import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * `name` of the package.json nearest to the main module, or undefined. Runs once at start-up
 * (sync reads are fine there, never on a request path).
 */
export function appNameFromPackageJson(mainFile: string | undefined = mainModuleFile()): string | undefined {
  if (!mainFile) return undefined;
  let dir = dirname(mainFile);
  for (let i = 0; i < 50; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (typeof pkg.name === 'string' && pkg.name.trim()) return pkg.name.trim();
      return undefined;
    } catch {
      // no (readable) package.json here: keep walking up
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

function mainModuleFile(): string | undefined {
  return require.main?.filename ?? process.argv[1];
}
