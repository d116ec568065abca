import { createKoaServerTracing, koaServerMiddleware, type KoaMiddleware } from '@sofa-tracer/koa';
import { setContextSpan } from './egg-tracer';
import { EGG_LOG_TYPE } from './log-type';
import { startEggTracer, type EggAppLike } from './state';

/**
 * The app middleware (`app/middleware/sofa_tracer.js`, first in `coreMiddleware`): koa's wiring
 * with egg's log type (`egg-digest.log` / `egg-stat.log`) and the request span recorded on the
 * context for `ctx.tracer` and egg-logger. egg's router is a koa-router (`@eggjs/router`), so the
 * koa wiring's route lookup (the matched layer with the request's method) reads its template.
 */
export function eggServerMiddleware(app: EggAppLike): KoaMiddleware {
  const { tracer, config } = startEggTracer(app);
  const tracing = createKoaServerTracing(tracer, {
    logType: EGG_LOG_TYPE.name,
    ignorePaths: config.ignorePaths,
    extractFormats: config.extractFormats,
    redactQuery: config.redactQuery,
    customTags: config.customTags,
  });
  return koaServerMiddleware(tracing, { onSpan: (ctx, st) => setContextSpan(ctx, st.span) });
}
