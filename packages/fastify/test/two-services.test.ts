import sofaTracer from '@sofa-tracer/fastify';
import { backendAnswer, callBackend, twoServiceScenarios } from '../../../test/support/two-service-scenarios';
import { FASTIFY_VERSIONS, serverOf } from './fastify-apps';

/**
 * Two real fastify services in one process, each with its own tracer: a gateway that calls a
 * backend (routes in a `/items` prefix plugin) with fetch and with http.request — the shared
 * two-service scenarios (Java SOFA B3 0.1 → 0.1.1, new trace, sampled=false, W3C, hex B3, the
 * hostile-header matrix), asserted on fastify-digest/stat lines on disk and the headers received.
 */
describe.each(FASTIFY_VERSIONS)('%s: gateway → backend', (_label, load) => {
  const Fastify = load();
  twoServiceScenarios('fastify', {
    backend(be, record) {
      const app = Fastify();
      app.register(sofaTracer, { tracer: be.tracer });
      app.register(
        async (items) => {
          items.get('/:id', async (request) => {
            record(request.headers);
            return backendAnswer(be);
          });
        },
        { prefix: '/items' },
      );
      return serverOf(app);
    },
    gateway(gw, backendUrl) {
      const app = Fastify();
      app.register(sofaTracer, { tracer: gw.tracer });
      app.get('/checkout', async () => callBackend(gw, backendUrl));
      return serverOf(app);
    },
  });
});
