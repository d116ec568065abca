'use strict';
// The Nest service ("demo-nest"): stock lookups, on Nest's express adapter. The egg BFF calls it
// with ctx.curl, so the tree shows egg → Nest: the Nest server span continues the caller's trace,
// its digest line names the route template and the handler (StockController.get), and the
// StockService.lookup business span (@Traced) is a child of it in biz-digest.log.
// Plain JavaScript: the decorators are applied as calls.
require('reflect-metadata');
const { startTracer, run, sleep } = require('./service');

const tracer = startTracer('demo-nest');
const { Controller, Get, Injectable, Module, NotFoundException, Param } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { ExpressAdapter } = require('@nestjs/platform-express');
const { SofaTracerModule, Traced } = require('@sofa-tracer/nest');

/** What TypeScript emits for `@decorators` on a method (bottom-up, the result defined back). */
function decorate(cls, method, ...decorators) {
  const proto = cls.prototype;
  const desc = Reflect.decorate(decorators, proto, method, Object.getOwnPropertyDescriptor(proto, method));
  Object.defineProperty(proto, method, desc);
}

class StockService {
  async lookup(id) {
    await sleep(3); // "a warehouse query"
    if (Number(id) > 100) throw new NotFoundException(`no stock record for item ${id}`);
    return { id, inStock: Number(id) % 3 !== 0 };
  }
}
decorate(StockService, 'lookup', Traced());
Injectable()(StockService);

class StockController {
  constructor(stock) {
    this.stock = stock;
  }
  get(id) {
    return this.stock.lookup(id);
  }
}
Reflect.defineMetadata('design:paramtypes', [StockService], StockController);
Param('id')(StockController.prototype, 'get', 0);
decorate(StockController, 'get', Get(':id'));
Controller('stock')(StockController);

class AppModule {}
Module({ imports: [SofaTracerModule.forRoot()], controllers: [StockController], providers: [StockService] })(
  AppModule,
);

(async () => {
  const app = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false });
  await app.init();
  // Nest's routes live on the express instance: serve it with the demo's IPC protocol
  run(app.getHttpAdapter().getInstance(), { tracer, onClose: () => app.close() });
})();
