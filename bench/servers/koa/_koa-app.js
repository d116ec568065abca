'use strict';
// The koa hello-world shared by this suite's variants: koa 3 + @koa/router 15, GET /hello →
// "hello world", on 127.0.0.1:0, served over the runner's IPC.
const fs = require('node:fs');
const path = require('node:path');
const { serveServer } = require('../common');

/**
 * @param {(app: import('koa')) => void} [install] adds middleware before the router
 * @param {() => Promise<Record<string, unknown>>} [onClose] flushes and returns extra figures
 */
function serveKoa(install, onClose) {
  const Koa = require('koa');
  const Router = require('@koa/router');
  const app = new Koa();
  if (install) install(app);
  const router = new Router();
  router.get('/hello', (ctx) => {
    ctx.body = 'hello world';
  });
  app.use(router.routes());
  serveServer(app.listen(0, '127.0.0.1'), onClose);
}

/** onClose of a traced variant: flush the tracer, count the digest lines written and dropped. */
function closeAndCount(tracer, logDir, digestFile) {
  return async () => {
    let dropped = 0;
    for (const st of Object.values(tracer.fileStats ? tracer.fileStats() : {})) dropped += st.dropped || 0;
    await tracer.close();
    let digestLines = 0;
    try {
      const text = fs.readFileSync(path.join(logDir, 'tracelog', digestFile), 'utf8');
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) digestLines++;
    } catch {
      // no file: 0 lines
    }
    return { digestLines, droppedLines: dropped };
  };
}

module.exports = { serveKoa, closeAndCount };
