import type { IncomingMessage } from 'node:http';
import { getHttpServerSpan, type HttpServerSpan } from '@sofa-tracer/core';

/**
 * The traced state of a request as Nest hands it around: the Node request itself (express
 * adapter) or fastify's request wrapping it in `raw` (fastify adapter).
 */
export function requestState(req: unknown): HttpServerSpan | undefined {
  if (req === null || typeof req !== 'object') return undefined;
  const st =
    getHttpServerSpan(req as IncomingMessage) ??
    getHttpServerSpan((req as { raw?: IncomingMessage }).raw ?? (req as IncomingMessage));
  return st !== undefined && !st.finished ? st : undefined;
}
