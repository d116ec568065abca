import type { FastifyRequest } from 'fastify';

interface RequestRouteLike {
  is404?: boolean;
  routeOptions?: { url?: string };
  /** fastify 4 before `routeOptions` (removed in 5). */
  routerPath?: string;
}

/**
 * The route template fastify matched (`request.routeOptions.url`: the declared path with the
 * prefixes of the plugins it was registered in, `/api/v1/users/:id`), or `undefined` when no
 * route matched (the 404 handler) — written as `UNMATCHED`.
 */
export function fastifyRoute(request: FastifyRequest): string | undefined {
  const r = request as unknown as RequestRouteLike;
  if (r.is404 === true) return undefined;
  const options = r.routeOptions;
  const url = options !== undefined ? options.url : r.routerPath;
  return typeof url === 'string' && url.length > 0 ? url : undefined;
}
