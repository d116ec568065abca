'use strict';
// Variant "sofa": this project's tracer — express middleware, digest + stat logs, 100% sampled,
// logs under the temp dir the runner passes in BENCH_LOG_DIR.
const fs = require('node:fs');
const path = require('node:path');
const { init } = require('@sofa-tracer/core');
const { sofaTracer } = require('@sofa-tracer/express');
const { serve } = require('../common');

const logDir = process.env.BENCH_LOG_DIR;
const tracer = init({ appName: 'bench-sofa', logDir });

function countLines(file) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    let n = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
    return n;
  } catch {
    return 0;
  }
}

serve(
  require('express'),
  (app) => app.use(sofaTracer()),
  async () => {
    let dropped = 0;
    for (const st of Object.values(tracer.fileStats ? tracer.fileStats() : {})) dropped += st.dropped || 0;
    await tracer.close();
    const dir = path.join(logDir, 'tracelog');
    return { digestLines: countLines(path.join(dir, 'express-digest.log')), droppedLines: dropped };
  },
);
