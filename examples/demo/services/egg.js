'use strict';
// The egg BFF ("demo-egg"): the SOFA way of running Node in front of Java services — an egg app
// with the sofaTracer plugin enabled, aggregating two services with ctx.curl: the item from the
// backend (express) and its stock from demo-nest. The storefront (koa) calls it, so the tree
// shows koa → egg → express and egg → Nest: the egg server span continues the caller's trace
// with egg's route template (/bff/products/:id), each ctx.curl is its child client span, and
// egg-logger's lines carry the same trace id.
//
// Env: BACKEND_URL, NEST_URL (read per request), DEMO_LOG_ROOT. The egg app (package.json,
// config, router) is written under <DEMO_LOG_ROOT>/demo-egg/app at start, as a user's app would
// have it.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { startTracer, run } = require('./service');

// the plugin takes this running tracer (logs under <DEMO_LOG_ROOT>/demo-egg/tracelog)
const tracer = startTracer('demo-egg');

const APP_FILES = {
  'package.json': JSON.stringify({ name: 'demo-egg', private: true }),
  'config/plugin.js': `'use strict';
// the one line that turns tracing on
exports.sofaTracer = { enable: true, package: '@sofa-tracer/egg', path: ${JSON.stringify(
    path.dirname(require.resolve('@sofa-tracer/egg/package.json')),
  )} };
`,
  'config/config.default.js': `'use strict';
const path = require('node:path');
exports.keys = 'demo-egg';
exports.sofaTracer = { ignorePaths: ['/health'] };
exports.logger = { dir: path.join(__dirname, '..', '..', 'egg-logs'), consoleLevel: 'NONE' };
exports.rundir = path.join(__dirname, '..', '..', 'egg-run');
`,
  'app/router.js': `'use strict';
module.exports = (app) => {
  // the product page of the BFF: the item from the backend, then its stock from demo-nest
  app.router.get('/bff/products/:id', async (ctx) => {
    ctx.logger.info('product %s requested', ctx.params.id);
    const item = await ctx.curl(process.env.BACKEND_URL + '/items/' + ctx.params.id, { dataType: 'json' });
    const stock = await ctx.curl(process.env.NEST_URL + '/stock/' + ctx.params.id, { dataType: 'json' });
    ctx.body = { traceId: ctx.traceId, spanId: ctx.tracer.spanId, item: item.data, stock: stock.data };
  });
  app.router.get('/health', async (ctx) => {
    ctx.body = 'ok';
  });
};
`,
};

function writeApp(dir) {
  for (const [file, text] of Object.entries(APP_FILES)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
}

async function main() {
  const baseDir = path.join(process.env.DEMO_LOG_ROOT, 'demo-egg', 'app');
  writeApp(baseDir);
  const { start } = require('egg');
  const app = await start({ baseDir, env: 'prod' });
  // the demo's run() listens through an express-like listen(port, host, cb)
  const server = http.createServer(app.callback());
  app.emit('server', server);
  run({ listen: (port, host, cb) => server.listen(port, host, cb) }, { tracer, onClose: () => app.close() });
}

main().catch((err) => {
  console.error('demo-egg failed to start:', err);
  process.exit(1);
});
