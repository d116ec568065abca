'use strict';
// Writes dist/index.mjs next to the CommonJS build so `import { x } from '@sofa-tracer/…'`
// gets real named exports (not just a default) without a second compilation.
const fs = require('node:fs');
const path = require('node:path');

const dist = path.resolve(process.cwd(), 'dist');
const cjs = require(path.join(dist, 'index.js'));
const names = Object.keys(cjs).filter(
  (n) => n !== 'default' && n !== '__esModule' && /^[A-Za-z_$][\w$]*$/.test(n),
);
const lines = [
  "import cjs from './index.js';",
  ...names.map((n) => `export const ${n} = cjs.${n};`),
  // a package with its own default export (a fastify plugin) keeps it; the others default to the module
  cjs.__esModule === true && cjs.default !== undefined ? 'export default cjs.default;' : 'export default cjs;',
  '',
];
fs.writeFileSync(path.join(dist, 'index.mjs'), lines.join('\n'));
