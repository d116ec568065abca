// The plugin's pieces that need no egg boot: config validation, the tracer options taken from
// config.sofaTracer, schedule names, the tracer slot.
import { join } from 'node:path';
import { createTracer, ConfigError } from '@sofa-tracer/core';
import {
  applicationExtension,
  contextExtension,
  lookoutConfigOf,
  scheduleName,
  setContextSpan,
  SofaEggTracer,
  tracerOptionsOf,
  validateEggConfig,
} from '@sofa-tracer/egg';
import { tracerLogRoot } from './egg-env';

describe('config.sofaTracer validation', () => {
  it.each([
    [{ httpClient: 'yes' }, 'sofaTracer.httpClient'],
    [{ schedule: 1 }, 'sofaTracer.schedule'],
    [{ ignorePaths: '/health' }, 'sofaTracer.ignorePaths'],
    [{ ignorePaths: [42] }, 'sofaTracer.ignorePaths'],
    [{ customTags: {} }, 'sofaTracer.customTags'],
    [{ extractFormats: 'w3c' }, 'sofaTracer.extractFormats'],
    [{ lookout: 'on' }, 'sofaTracer.lookout'],
    [{ lookout: { port: 70000 } }, 'sofaTracer.lookout.port'],
    ['all', 'sofaTracer'],
  ])('%j fails naming %s', (config, option) => {
    let thrown: unknown;
    try {
      validateEggConfig(config);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).option).toBe(option);
    expect((thrown as Error).message).toContain('accepted:');
  });

  it('accepts the documented shapes', () => {
    const c = {
      ignorePaths: ['/health', /^\/internal\//],
      httpClient: { requireParent: true },
      schedule: false,
      lookout: { port: 0 },
      enable: true,
      match: '/api',
    };
    expect(validateEggConfig(c)).toBe(c);
    expect(validateEggConfig(undefined)).toEqual({});
  });

  it('tracer options: plugin and egg middleware keys removed, appName from egg unless given', () => {
    const saved = process.env.SOFA_TRACER_APP_NAME;
    delete process.env.SOFA_TRACER_APP_NAME;
    try {
      expect(
        tracerOptionsOf(
          { samplerPercentage: 50, ignorePaths: ['/h'], lookout: true, match: '/x' } as never,
          'shop',
        ),
      ).toEqual({ samplerPercentage: 50, appName: 'shop' });
      expect(tracerOptionsOf({ appName: 'mine' }, 'shop')).toEqual({ appName: 'mine' });
    } finally {
      if (saved !== undefined) process.env.SOFA_TRACER_APP_NAME = saved;
    }
  });

  it('lookout: off by default, true means defaults', () => {
    expect(lookoutConfigOf({})).toBeUndefined();
    expect(lookoutConfigOf({ lookout: false })).toBeUndefined();
    expect(lookoutConfigOf({ lookout: true })).toEqual({});
    expect(lookoutConfigOf({ lookout: { port: 9999 } })).toEqual({ port: 9999 });
  });
});

describe('schedule names', () => {
  it('path under schedule/ without the extension, else the base name', () => {
    expect(scheduleName(join('/srv', 'app', 'schedule', 'report.js'))).toBe('report');
    expect(scheduleName(join('/srv', 'app', 'schedule', 'sync', 'users.ts'))).toBe('sync/users');
    expect(scheduleName(join('/srv', 'lib', 'jobs', 'clean.js'))).toBe('clean');
  });
});

describe('the tracer slot', () => {
  const logs = tracerLogRoot();
  const tracer = createTracer({ appName: 'slot', logDir: logs.dir });
  afterAll(async () => {
    await tracer.close();
    logs.cleanup();
  });

  it('ctx.tracer: the span recorded for the context, else the current one, else empty ids', () => {
    const ctx: Record<PropertyKey, unknown> = { app: { config: {} } };
    Object.defineProperties(ctx, Object.getOwnPropertyDescriptors(contextExtension));
    const slot = ctx.tracer as SofaEggTracer;
    expect(slot).toBeInstanceOf(SofaEggTracer);
    expect(ctx.tracer).toBe(slot); // one per context
    expect([slot.traceId, slot.spanId, ctx.traceId]).toEqual(['', '', '']);
    const current = tracer.startSpan('current');
    tracer.withSpan(current, () => expect(slot.traceId).toBe(current.context().traceId));
    const own = tracer.startSpan('request');
    setContextSpan(ctx, own);
    tracer.withSpan(current, () => {
      expect(slot.traceId).toBe(own.context().traceId);
      expect(ctx.traceId).toBe(own.context().traceId);
    });
    current.finish();
    own.finish();
  });

  it("an app's own config.tracer.Class wins (egg's convention)", () => {
    class MyTracer {
      constructor(readonly target: object) {}
      get traceId(): string {
        return 'mine';
      }
    }
    const ctx: Record<PropertyKey, unknown> = { app: { config: { tracer: { Class: MyTracer } } } };
    Object.defineProperties(ctx, Object.getOwnPropertyDescriptors(contextExtension));
    expect(ctx.tracer).toBeInstanceOf(MyTracer);
    expect(ctx.traceId).toBe('mine');
    const app: Record<PropertyKey, unknown> = { config: { tracer: { Class: MyTracer } } };
    Object.defineProperties(app, Object.getOwnPropertyDescriptors(applicationExtension));
    expect(app.tracer).toBeInstanceOf(MyTracer);
    expect((app.tracer as MyTracer).target).toEqual({ app });
  });
});
