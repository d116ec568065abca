'use strict';
// Child process of nest12.test.ts: Nest 12 is ESM only, which jest's module system cannot load;
// plain Node (≥ 20.19) loads it from CommonJS through require(esm). `@nestjs/*` resolves to the
// nest12 workspace (for this script and for the built @sofa-tracer/nest it loads), then a real
// app on the platform in argv[2] answers the requests in argv[3..] and the digest lines are
// printed as one JSON array on stdout.
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const NEST12 = path.join(__dirname, '..', '..', '..', 'nest-compat', 'nest12');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (request.startsWith('@nestjs/'))
    return resolve.call(this, request, { ...parent, paths: Module._nodeModulePaths(NEST12) }, ...rest);
  return resolve.call(this, request, parent, ...rest);
};

require('reflect-metadata');
const { Controller, Get, Injectable, Module: NestModule, Param, UseGuards } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { createTracer } = require('@sofa-tracer/core');
const { SofaTracerModule, Traced } = require('../../dist');

class DenyGuard {
  canActivate(ctx) {
    return ctx.switchToHttp().getRequest().headers['x-allow'] === 'yes';
  }
}
Injectable()(DenyGuard);

class UsersController {
  get(id) {
    if (id === 'boom') throw new Error('boom ' + id);
    return { id };
  }
  admin() {
    return 'admin';
  }
}
function decorate(cls, method, ...decorators) {
  const proto = cls.prototype;
  Object.defineProperty(
    proto,
    method,
    Reflect.decorate(decorators, proto, method, Object.getOwnPropertyDescriptor(proto, method)),
  );
}
Param('id')(UsersController.prototype, 'get', 0);
decorate(UsersController, 'get', Get(':id'), Traced());
decorate(UsersController, 'admin', Get('admin/panel'), UseGuards(DenyGuard));
Controller('users')(UsersController);

(async () => {
  const [platform, logDir, ...paths] = process.argv.slice(2);
  const tracer = createTracer({ appName: 'nest12-app', logDir, statLogInterval: 3600 });
  class AppModule {}
  NestModule({
    imports: [SofaTracerModule.forRoot({ tracer })],
    controllers: [UsersController],
    providers: [DenyGuard],
  })(AppModule);
  const pkg = require('@nestjs/platform-' + platform);
  const adapter = platform === 'express' ? new pkg.ExpressAdapter() : new pkg.FastifyAdapter();
  const app = await NestFactory.create(AppModule, adapter, { logger: false });
  app.setGlobalPrefix('api');
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  for (const p of paths)
    await (
      await fetch(url + p, { headers: { 'X-B3-TraceId': '0123456789abcdef', 'X-B3-SpanId': '0.7' } })
    ).text();
  await app.close();
  await tracer.close();
  const lines = (file) =>
    fs.existsSync(path.join(logDir, 'tracelog', file))
      ? fs
          .readFileSync(path.join(logDir, 'tracelog', file), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];
  process.stdout.write(
    JSON.stringify({
      core: require('@nestjs/core/package.json').version,
      nest: lines('nest-digest.log'),
      biz: lines('biz-digest.log'),
    }),
  );
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
