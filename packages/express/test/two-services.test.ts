import { sofaTracer } from '@sofa-tracer/express';
import { EXPRESS_VERSIONS, serverOf, type App } from './express-apps';
import { backendAnswer, callBackend, twoServiceScenarios } from '../../../test/support/two-service-scenarios';

/**
 * Two real express services in one process (gateway → backend with fetch and http.request), each
 * with its own tracer: the shared two-service scenarios (Java SOFA B3, new trace, sampled=false,
 * W3C, hex B3, hostile headers), asserted on the digest lines on disk and the headers received.
 */
type Res = { json(b: unknown): void };

describe.each(EXPRESS_VERSIONS)('%s: gateway → backend', (_label, load) => {
  const express = load();
  twoServiceScenarios('express', {
    backend(be, record) {
      const app: App = express();
      app.use(sofaTracer({ tracer: be.tracer }));
      app.get('/items/:id', (req: { headers: Record<string, string> }, res: Res) => {
        record(req.headers);
        res.json(backendAnswer(be));
      });
      return serverOf(app);
    },
    gateway(gw, backendUrl) {
      const app: App = express();
      app.use(sofaTracer({ tracer: gw.tracer }));
      app.get('/checkout', async (_req: unknown, res: Res) => res.json(await callBackend(gw, backendUrl)));
      return serverOf(app);
    },
  });
});
