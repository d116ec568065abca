import type { Server } from 'node:http';

/** koa and router majors side by side: the test matrix (typed loosely: several majors). */
export type Handler = (ctx: any, next: () => Promise<unknown>) => unknown;
export interface KoaApp {
  use(mw: Handler): KoaApp;
  on(event: string, fn: (...args: any[]) => void): KoaApp;
  callback(): (req: any, res: any) => void;
  context: Record<string, unknown>;
  listen(...args: unknown[]): Server;
  silent?: boolean;
}
export type KoaClass = new (opts?: Record<string, unknown>) => KoaApp;
export interface RouterLike {
  use(...args: unknown[]): RouterLike;
  get(...args: unknown[]): RouterLike;
  post(...args: unknown[]): RouterLike;
  all(...args: unknown[]): RouterLike;
  prefix(p: string): RouterLike;
  routes(): Handler;
  allowedMethods(): Handler;
}
export type RouterClass = new (opts?: Record<string, unknown>) => RouterLike;

export const KOA_VERSIONS: [string, () => KoaClass][] = [
  ['koa 2', () => require('koa2') as KoaClass],
  ['koa 3', () => require('koa') as KoaClass],
];

/** The Router class whatever the module's export shape (router 15 changed it between minors). */
function routerClass(m: unknown): RouterClass {
  const o = m as { Router?: unknown; default?: unknown };
  if (typeof o.Router === 'function') return o.Router as RouterClass;
  if (typeof o.default === 'function') return o.default as RouterClass;
  return m as RouterClass;
}

export const ROUTER_VERSIONS: [string, () => RouterClass][] = [
  ['@koa/router 12', () => routerClass(require('@koa/router12'))],
  ['@koa/router 13', () => routerClass(require('@koa/router13'))],
  ['@koa/router 15', () => routerClass(require('@koa/router'))],
  ['koa-router 14', () => routerClass(require('koa-router'))],
];

/** Every koa major with every router major. */
export const MATRIX: [string, string, () => KoaClass, () => RouterClass][] = KOA_VERSIONS.flatMap(
  ([k, loadKoa]) =>
    ROUTER_VERSIONS.map(
      ([r, loadRouter]) => [k, r, loadKoa, loadRouter] as [string, string, () => KoaClass, () => RouterClass],
    ),
);
