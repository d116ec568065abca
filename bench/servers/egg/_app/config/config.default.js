'use strict';
const path = require('node:path');

exports.keys = 'bench-egg';
// egg's own logs and run files under the runner's temp dir, not in $HOME
const dir = process.env.BENCH_LOG_DIR || path.join(__dirname, '..', '.bench-out');
exports.rundir = path.join(dir, 'egg-run');
exports.logger = { dir: path.join(dir, 'egg'), consoleLevel: 'NONE' };
