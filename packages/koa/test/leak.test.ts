import { request as httpRequest, Agent } from 'node:http';
import { sofaTracer } from '@sofa-tracer/koa';
import { activeHttpServerSpanCount } from '@sofa-tracer/core';
import { KOA_VERSIONS, ROUTER_VERSIONS } from './koa-apps';
import { listen, makeTracer, serverOf, until } from './helpers';

type Ctx = Record<string, any>;

/**
 * Thousands of requests mixing successes, thrown errors, swallowed errors, streamed bodies and
 * clients that give up mid-request: afterwards no server span is left open and every request
 * was finished exactly once (one span each).
 */
describe.each(KOA_VERSIONS)('%s: no span left open', (_label, loadKoa) => {
  it('after 2000 requests with errors and aborts', async () => {
    const Koa = loadKoa();
    const Router = ROUTER_VERSIONS[2]![1]();
    const t = makeTracer('leak', { samplerPercentage: 10 }, false);
    let finished = 0;
    t.tracer.addSpanListener({ onSpanReport: () => finished++ });
    const app = new Koa();
    app.silent = true;
    app.use(sofaTracer({ tracer: t.tracer }));
    app.use(async (ctx: Ctx, next: () => Promise<unknown>) => {
      try {
        await next();
      } catch (e) {
        if (ctx.path === '/swallow') ctx.status = 500;
        else throw e;
      }
    });
    const r = new Router();
    r.get('/ok/:id', (ctx: Ctx) => (ctx.body = 'ok'));
    r.get('/throw', () => {
      throw new Error('x');
    });
    r.get('/swallow', () => {
      throw new Error('y');
    });
    r.get('/slow', async (ctx: Ctx) => {
      await new Promise((res) => setTimeout(res, 30));
      ctx.body = 'late';
    });
    app.use(r.routes());
    const server = serverOf(app);
    let received = 0; // an aborted request may never reach the server: count those that did
    server.on('request', () => received++);
    const s = await listen(server);
    const before = activeHttpServerSpanCount();
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const paths = ['/ok/1', '/throw', '/swallow', '/nothing', '/ok/2'];
    const N = 2000;
    const one = (i: number): Promise<void> =>
      new Promise((resolve) => {
        const abort = i % 10 === 0;
        const req = httpRequest(`${s.url}${abort ? '/slow' : paths[i % paths.length]}`, {
          agent: abort ? undefined : agent,
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', () => resolve());
        req.end();
        if (abort) setTimeout(() => req.destroy(), 5);
      });
    for (let i = 0; i < N; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => one(i + j)));
    try {
      await until(() => activeHttpServerSpanCount() === before, 'no open server span');
      expect(received).toBeGreaterThan(N * 0.9);
      await new Promise((r) => setTimeout(r, 50)); // the aborted /slow handlers complete afterwards
      expect(finished).toBe(received);
    } finally {
      agent.destroy();
      await s.close();
      await t.close();
    }
  });
});
