import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

// Every package must load through its `exports` map with both require() and import, after
// `npm run build` (npm test builds first). This runs real Node, not jest's module system.
const root = join(__dirname, '..');
const packages = readdirSync(join(root, 'packages')).filter((d) =>
  existsSync(join(root, 'packages', d, 'package.json')),
);

describe.each(packages)('package %s', (dir) => {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));

  it('has a CJS + ESM + types exports map, Node >= 20, Apache-2.0 and a README', () => {
    expect(pkg.exports['.']).toMatchObject({
      types: './dist/index.d.ts',
      require: './dist/index.js',
      import: './dist/index.mjs',
    });
    expect(pkg.engines.node).toBe('>=20');
    expect(pkg.license).toBe('Apache-2.0');
    expect(existsSync(join(root, 'packages', dir, 'README.md'))).toBe(true);
  });

  it('loads with require() and import, with the same named exports', () => {
    const script = `
      const cjs = require(${JSON.stringify(pkg.name)});
      import(${JSON.stringify(pkg.name)}).then((esm) => {
        const names = Object.keys(cjs).filter((k) => k !== 'default' && k !== '__esModule').sort();
        const missing = names.filter((n) => esm[n] !== cjs[n]);
        process.stdout.write(JSON.stringify({ names: names.length, missing }));
      });`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }));
    expect(out.names).toBeGreaterThan(0);
    expect(out.missing).toEqual([]);
  });
});
