import { createServer, type Server } from 'node:http';

/** express 4 and 5 side by side: the test matrix. */
export const EXPRESS_VERSIONS: [string, () => ExpressLike][] = [
  ['express 4', () => require('express4') as ExpressLike],
  ['express 5', () => require('express') as ExpressLike],
];

/** The subset of express' API the tests use (typed loosely: two major versions). */
export type ExpressLike = {
  (): App;
  Router(opts?: { mergeParams?: boolean }): Router;
};
export type Handler = (...args: any[]) => unknown;
export interface Router {
  use(...args: unknown[]): Router;
  get(path: unknown, ...h: Handler[]): Router;
  post(path: unknown, ...h: Handler[]): Router;
  all(path: unknown, ...h: Handler[]): Router;
  route(path: string): { get(h: Handler): unknown };
}
export interface App extends Router {
  (req: unknown, res: unknown): void;
}

export function serverOf(app: App): Server {
  return createServer(app as unknown as Parameters<typeof createServer>[0]);
}
