// "Works whether the module or @nestjs/core is loaded first": each order in a fresh module
// registry (Nest 11, the copy installed at the root), a real app on express, a real request.
import type { ReadableSpan } from '@sofa-tracer/core';
import { makeTracer } from '../../../test/support/plugin-fixtures';

type Loaded = {
  startApp: typeof import('./support/suite').startApp;
  apps: typeof import('./support/apps');
  nest: typeof import('../src');
  platform: Record<string, unknown>;
};

function loadInOrder(first: 'module' | 'core'): Loaded {
  let loaded: Loaded | undefined;
  jest.isolateModules(() => {
    if (first === 'module') {
      const nest = require('../src') as Loaded['nest'];
      require('@nestjs/core');
      const platform = require('@nestjs/platform-express') as Loaded['platform'];
      loaded = {
        nest,
        platform,
        apps: require('./support/apps'),
        startApp: require('./support/suite').startApp,
      };
    } else {
      require('@nestjs/core');
      const platform = require('@nestjs/platform-express') as Loaded['platform'];
      const apps = require('./support/apps') as Loaded['apps'];
      loaded = { apps, platform, nest: require('../src'), startApp: require('./support/suite').startApp };
    }
  });
  return loaded!;
}

describe.each(['module', 'core'] as const)('loaded with %s first', (first) => {
  it('traces the request with route and handler', async () => {
    // every module of the app comes from the same fresh registry, the platform included
    const { nest, apps, startApp, platform } = loadInOrder(first);
    const t = makeTracer('order-app');
    const { app, url } = await startApp(
      'nest11',
      'express',
      apps.appModule(nest.SofaTracerModule.forRoot({ tracer: t.tracer })),
      platform,
    );
    try {
      expect((await fetch(url + '/api/v1/users/3')).status).toBe(200);
      const deadline = Date.now() + 5000;
      let spans: ReadableSpan[] = [];
      while ((spans = t.spans.filter((s) => s.logType === 'nest')).length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 5));
      expect(spans[0]!.tags).toMatchObject({
        route: '/api/v1/users/:id',
        handler: 'UsersController.findOne',
      });
      expect((await t.digest('nest-digest.log')).map((l) => l.handler)).toEqual(['UsersController.findOne']);
    } finally {
      await app.close();
      await t.close();
    }
  });
});
