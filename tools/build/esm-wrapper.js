'use strict';
// Writes dist/index.mjs next to the CommonJS build so `import { x } from '@sofa-tracer/…'`
// gets real named exports (not just a default) without a second compilation.
const fs = require('node:fs');
const path = require('node:path');

const dist = path.resolve(process.cwd(), 'dist');
const names = Object.keys(require(path.join(dist, 'index.js'))).filter(
  (n) => n !== 'default' && n !== '__esModule' && /^[A-Za-z_$][\w$]*$/.test(n),
);
const lines = [
  "import cjs from './index.js';",
  ...names.map((n) => `export const ${n} = cjs.${n};`),
  'export default cjs;',
  '',
];
fs.writeFileSync(path.join(dist, 'index.mjs'), lines.join('\n'));
