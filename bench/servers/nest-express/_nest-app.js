'use strict';
// Shared by the nest-express and nest-fastify suites (the leading "_" keeps the runner from
// taking it for a variant): Nest's hello-world on either adapter, served over the runner's IPC.
// Plain JavaScript, so the decorators are applied as calls.
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { serveServer } = require('../common');

class HelloController {
  hello() {
    return 'hello world';
  }
}
const proto = HelloController.prototype;
Get('hello')(proto, 'hello', Object.getOwnPropertyDescriptor(proto, 'hello'));
Controller()(HelloController);

/**
 * The Nest hello-world app on `platform`, initialised (routes registered), not listening.
 * @param {'express' | 'fastify'} platform
 * @param {unknown[]} imports modules for the root module (the tracing module, or none)
 */
async function createNestApp(platform, imports) {
  class AppModule {}
  Module({ imports, controllers: [HelloController] })(AppModule);
  const adapter =
    platform === 'express'
      ? new (require('@nestjs/platform-express').ExpressAdapter)()
      : new (require('@nestjs/platform-fastify').FastifyAdapter)();
  const app = await NestFactory.create(AppModule, adapter, { logger: false });
  await app.init();
  if (platform === 'fastify') await app.getHttpAdapter().getInstance().ready();
  return app;
}

/**
 * Starts the Nest app on 127.0.0.1:0 and serves it over IPC.
 * @param {'express' | 'fastify'} platform
 * @param {unknown[]} imports
 * @param {() => Promise<Record<string, unknown>>} [onClose]
 */
async function serveNest(platform, imports, onClose) {
  const app = await createNestApp(platform, imports);
  await app.listen(0, '127.0.0.1');
  serveServer(app.getHttpServer(), onClose);
}

module.exports = { createNestApp, serveNest };
