import { sofaTracer } from '@sofa-tracer/koa';
import { backendAnswer, callBackend, twoServiceScenarios } from '../../../test/support/two-service-scenarios';
import { KOA_VERSIONS, ROUTER_VERSIONS } from './koa-apps';
import { serverOf } from './helpers';

/**
 * Two real koa services in one process: a gateway (@koa/router 15) that calls a backend
 * (koa-router 14, prefix router) with fetch and with http.request, each with its own tracer —
 * the shared two-service scenarios (Java SOFA B3 0.1 → 0.1.1, new trace, sampled=false, W3C,
 * hex B3, hostile headers), asserted on koa-digest/stat lines on disk and the headers received.
 */
type Ctx = Record<string, any>;

describe.each(KOA_VERSIONS)('%s: gateway → backend', (_label, loadKoa) => {
  const Koa = loadKoa();
  const GatewayRouter = ROUTER_VERSIONS[2]![1]();
  const BackendRouter = ROUTER_VERSIONS[3]![1]();
  twoServiceScenarios('koa', {
    backend(be, record) {
      const app = new Koa();
      app.use(sofaTracer({ tracer: be.tracer }));
      const r = new BackendRouter({ prefix: '/items' });
      r.get('/:id', (ctx: Ctx) => {
        record(ctx.headers);
        ctx.body = backendAnswer(be);
      });
      app.use(r.routes());
      return serverOf(app);
    },
    gateway(gw, backendUrl) {
      const app = new Koa();
      app.use(sofaTracer({ tracer: gw.tracer }));
      const r = new GatewayRouter();
      r.get('/checkout', async (ctx: Ctx) => {
        ctx.body = await callBackend(gw, backendUrl);
      });
      app.use(r.routes());
      return serverOf(app);
    },
  });
});
