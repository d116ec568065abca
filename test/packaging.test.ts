import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

// Every package must load through its `exports` map with both require() and import, after
// `npm run build` (npm test builds first). This runs real Node, not jest's module system.
// Its tarball (what `npm pack` would publish) holds the built entry points and no build cache.
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

  it('packs the built entry points, their types and the README, but not dist/.tsbuildinfo', () => {
    // the file list npm would publish (real npm, nothing written); needs the build, like the test above
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: join(root, 'packages', dir),
      encoding: 'utf8',
    });
    const [packed] = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>;
    const files = packed.files.map((f) => f.path);
    expect(existsSync(join(root, 'packages', dir, 'dist', '.tsbuildinfo'))).toBe(true); // built: the exclusion is real
    expect(files.filter((f) => f.includes('tsbuildinfo'))).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining(['README.md', 'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts']),
    );
    // every compiled module ships with its declaration file
    const js = files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(0);
    expect(js.filter((f) => !files.includes(f.replace(/\.js$/, '.d.ts')))).toEqual([]);
  });
});

// @sofa-tracer/nest depends on both HTTP plugins and loads only the one of the adapter in use;
// their framework peers must be optional, or npm >= 7 installs express into a fastify-adapter app
// (and fastify into an express-adapter one).
describe('framework peers of the plugins nest depends on', () => {
  const read = (dir: string) => JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));

  it.each([
    ['express', 'express'],
    ['fastify', 'fastify'],
  ])('@sofa-tracer/%s declares %s as an optional peer', (dir, framework) => {
    const pkg = read(dir);
    expect(pkg.peerDependencies[framework]).toEqual(expect.any(String));
    expect(pkg.peerDependenciesMeta?.[framework]).toEqual({ optional: true });
  });

  it('every peer of every @sofa-tracer dependency of @sofa-tracer/nest is optional', () => {
    const deps = Object.keys(read('nest').dependencies).filter((d) => d.startsWith('@sofa-tracer/'));
    expect(deps).toEqual(expect.arrayContaining(['@sofa-tracer/express', '@sofa-tracer/fastify']));
    const required = deps.flatMap((d) => {
      const pkg = read(d.slice('@sofa-tracer/'.length));
      return Object.keys(pkg.peerDependencies ?? {})
        .filter((peer) => pkg.peerDependenciesMeta?.[peer]?.optional !== true)
        .map((peer) => `${d} -> ${peer}`);
    });
    expect(required).toEqual([]);
  });

  it('the lockfile records the same optional peers (npm ci installs from it)', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
    expect(lock.packages['packages/express'].peerDependenciesMeta).toEqual({ express: { optional: true } });
    expect(lock.packages['packages/fastify'].peerDependenciesMeta).toEqual({ fastify: { optional: true } });
  });
});
