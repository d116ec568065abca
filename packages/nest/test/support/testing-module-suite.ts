// Test.createTestingModule builds the providers before the HTTP adapter exists and sets it in
// createNestApplication(): the spans are installed then, still before Nest middleware. Also:
// invalid options fail at start-up, naming the option. Loaded after useNest().
import 'reflect-metadata';
import { VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { makeTracer, until } from '../../../../test/support/plugin-fixtures';
import { SofaTracerModule } from '../../src';
import { appModule } from './apps';
import { loadPlatform, type NestVersion } from './nest-version';

/** The Test.createTestingModule and start-up checks of one Nest major. */
export function defineTestingModuleSuite(version: NestVersion): void {
  describe.each(['express', 'fastify'] as const)(`${version}: Test.createTestingModule on %s`, (platform) => {
    it('traces requests, Nest middleware errors included, when the adapter comes after the providers', async () => {
      const t = makeTracer('testing-app');
      const moduleRef = await Test.createTestingModule({
        imports: [appModule(SofaTracerModule.forRoot({ tracer: t.tracer }))],
      }).compile();
      const pkg = loadPlatform(version, platform);
      const Adapter = (platform === 'express' ? pkg.ExpressAdapter : pkg.FastifyAdapter) as new () => never;
      const app = moduleRef.createNestApplication(new Adapter(), { logger: false });
      app.setGlobalPrefix('api');
      app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
      await app.listen(0, '127.0.0.1');
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
      try {
        expect((await fetch(url + '/api/v1/users/2')).status).toBe(200);
        expect((await fetch(url + '/api/v1/mw')).status).toBe(500);
        await until(() => t.spans.filter((s) => s.logType === 'nest').length >= 2, 'two spans');
        const lines = await t.digest('nest-digest.log');
        expect(lines.map((l) => [l['result.code'], l.handler, l.error]).sort()).toEqual([
          ['200', 'UsersController.findOne', ''],
          ['500', '', 'middleware failed'],
        ]);
      } finally {
        await app.close();
        await t.close();
      }
    });
  });

  describe(`${version}: invalid options`, () => {
    it('forRoot rejects a bad plugin option, naming it', () => {
      expect(() => SofaTracerModule.forRoot({ customTags: 'tenant' } as never)).toThrow(/"customTags"/);
      expect(() => SofaTracerModule.forRoot({ tracer: {} } as never)).toThrow(/"tracer"/);
      expect(() => SofaTracerModule.forRootAsync({} as never)).toThrow(/"useFactory"/);
    });

    it('a bad tracer option fails NestFactory.create with a ConfigError naming it', async () => {
      const pkg = loadPlatform(version, 'express');
      const create = NestFactory.create(
        appModule(SofaTracerModule.forRoot({ appName: 'bad', logDir: 42 } as never)) as never,
        new (pkg.ExpressAdapter as new () => never)(),
        { logger: false, abortOnError: false },
      );
      await expect(create).rejects.toMatchObject({ name: 'ConfigError', option: 'logDir' });
    });
  });
}
