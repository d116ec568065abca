// Lookout turns Nest's spans into RED metrics with no extra code (Nest 11 on express): request
// counters keyed by the route template, business-span timers keyed by the @Traced name.
import 'reflect-metadata';
import { enableLookout } from '@sofa-tracer/lookout';
import { makeTracer, until } from '../../../test/support/plugin-fixtures';
import { SofaTracerModule } from '../src';
import { appModule } from './support/apps';
import { startApp } from './support/suite';

it('exposes http_server metrics by route template and span metrics by @Traced name', async () => {
  const t = makeTracer('metrics-app');
  const lookout = enableLookout({ tracer: t.tracer, port: false, runtimeMetrics: false });
  const { app, url } = await startApp(
    'nest11',
    'express',
    appModule(SofaTracerModule.forRoot({ tracer: t.tracer })),
  );
  try {
    for (const id of [1, 2, 3]) expect((await fetch(`${url}/api/v1/users/${id}`)).status).toBe(200);
    expect((await fetch(`${url}/api/v1/users/crash/x`)).status).toBe(500);
    await until(() => t.spans.filter((s) => s.logType === 'nest').length === 4, 'four spans');
    const { body } = await lookout.metrics();
    const series = body.split('\n').filter((l) => l.startsWith('http_server_requests_total{'));
    const ok = series.filter(
      (l) => l.includes('route="/api/v1/users/:id"') && l.includes('status_code="200"'),
    );
    expect(ok).toHaveLength(1);
    expect(ok[0]).toMatch(/ 3$/);
    expect(series.some((l) => l.includes('route="/api/v1/users/42"'))).toBe(false);
    expect(body).toMatch(/http_server_errors_total\{[^}]*route="\/api\/v1\/users\/crash\/:reason"[^}]*\} 1/);
    expect(body).toContain('operation="UsersService.load"');
  } finally {
    app.getHttpServer().closeAllConnections();
    await app.close();
    await lookout.close();
    await t.close();
  }
});
