import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as prom from 'prom-client';
import { renderExposition } from '../prom/exposition';

/** A node:http / express handler: `app.get('/metrics', handler)`. */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The bits of a koa context the koa middleware uses (no koa dependency). */
export interface KoaLikeContext {
  get(field: string): string;
  set(field: string, value: string): void;
  body: unknown;
  status: number;
}

/**
 * A handler serving the registry's exposition, in Prometheus text or OpenMetrics by the request's
 * `Accept` header. HEAD gets headers only; a rendering failure answers 500 instead of throwing.
 */
export function createMetricsHandler(registry: prom.Registry): MetricsHandler {
  return (req, res) => {
    renderExposition(registry, req.headers.accept).then(
      (exp) => {
        res.statusCode = 200;
        res.setHeader('Content-Type', exp.contentType);
        res.setHeader('Cache-Control', 'no-store');
        res.end(req.method === 'HEAD' ? undefined : exp.body);
      },
      (err: unknown) => {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end('metrics collection failed: ' + (err instanceof Error ? err.message : String(err)) + '\n');
      },
    );
  };
}

/** A koa middleware serving the exposition: `router.get('/metrics', koaMetrics)` or `app.use(...)` at a path of your choice. */
export function createKoaMetricsMiddleware(registry: prom.Registry): (ctx: KoaLikeContext) => Promise<void> {
  return async (ctx) => {
    const exp = await renderExposition(registry, ctx.get('accept'));
    ctx.status = 200;
    ctx.set('Content-Type', exp.contentType);
    ctx.body = exp.body;
  };
}
