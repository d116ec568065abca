#!/usr/bin/env node
'use strict';
// Thin launcher: all logic lives in the compiled library so tests and the demo share it.
const { main } = require('../dist/index.js');

const stop = new AbortController();
// `tail` follows until Ctrl-C; abort it so it resolves and the process exits cleanly.
process.once('SIGINT', () => stop.abort());

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: stop.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`sofa-tracer: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
