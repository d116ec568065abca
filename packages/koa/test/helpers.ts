export {
  makeTracer,
  listen,
  until,
  HTTP_SERVER_DIGEST_KEYS,
  type TestTracer,
} from '../../../test/support/plugin-fixtures';
import { createServer, type Server } from 'node:http';
import type { KoaApp } from './koa-apps';

/** A node:http server for a koa app (not yet listening). */
export function serverOf(app: KoaApp): Server {
  return createServer(app.callback());
}
