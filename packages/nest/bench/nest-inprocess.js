'use strict';
// The Nest in-process bench on one adapter (bench/inprocess-harness.js: real requests through the
// app's node:http listener, CPU per request only): the real Nest 11 hello-world app of
// bench/servers/nest-express/_nest-app.js, bare, with only an AsyncLocalStorage context per request
// (reference), and traced without and with the digest log.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runInprocessBench } = require('../../../bench/inprocess-harness');

/** A module that enters an ALS context per request where the tracer would start its span. */
function alsModule(platform) {
  const { AsyncLocalStorage } = require('node:async_hooks');
  const { Module } = require('@nestjs/common');
  const { HttpAdapterHost } = require('@nestjs/core');
  const als = new AsyncLocalStorage();
  class AlsModule {}
  Module({
    providers: [
      {
        provide: 'ALS',
        inject: [HttpAdapterHost],
        useFactory: (host) => {
          const enter = (req, res, next) => als.run({ req }, next);
          if (platform === 'express') host.httpAdapter.getInstance().use(enter);
          else host.httpAdapter.use(enter);
          return als;
        },
      },
    ],
  })(AlsModule);
  return AlsModule;
}

/**
 * Runs the bench for `platform` (`express` | `fastify`) from the bench file `file`.
 * @param {'express' | 'fastify'} platform
 * @param {string} file
 */
function nestInprocessBench(platform, file) {
  runInprocessBench({
    name: `nest-${platform}-inprocess`,
    file,
    url: '/hello',
    variants: ['bare', 'als', 'sofa-nodigest', 'sofa'],
    async makeApp(variant) {
      const { createNestApp } = require('../../../bench/servers/nest-express/_nest-app');
      let tracer;
      const imports = [];
      if (variant === 'als') imports.push(alsModule(platform));
      else if (variant !== 'bare') {
        const { createTracer } = require('@sofa-tracer/core');
        const { SofaTracerModule } = require('@sofa-tracer/nest');
        const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inproc-nest-'));
        tracer = createTracer({ appName: 'bench', logDir, disableDigestLog: variant === 'sofa-nodigest' });
        imports.push(SofaTracerModule.forRoot({ tracer }));
      }
      const server = (await createNestApp(platform, imports)).getHttpServer();
      return {
        handler: (req, res) => server.emit('request', req, res),
        close: tracer && (() => tracer.close()),
      };
    },
  });
}

module.exports = { nestInprocessBench };
