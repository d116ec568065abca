import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpServerTracing } from '@sofa-tracer/core';
import { expressTracingMiddleware } from '@sofa-tracer/express';

/** What the module uses of Nest's HTTP adapter (`AbstractHttpAdapter`), for both platforms. */
export interface HttpAdapterLike {
  getType?(): string;
  getInstance?(): unknown;
  /** Adds a connect-style middleware (on fastify: through @fastify/middie). */
  use?(...args: unknown[]): unknown;
}

/** `installFastifyTracing` of @sofa-tracer/fastify (idempotent per instance). */
type InstallFastify = (app: object, tracing: HttpServerTracing) => boolean;

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * Nest's fastify adapter registers @fastify/middie (which runs Nest middleware in an `onRequest`
 * hook) before any provider exists, so a hook added now would run after Nest middleware. The span
 * therefore starts in the first middie middleware; the fastify wiring then adds the route template
 * in `onRequest` (the same span: core hands back the request's state), makes the span current
 * again after body parsing (the async context middie loses, nestjs/nest#8843) and records errors.
 */
function installOnFastify(adapter: HttpAdapterLike, instance: object, tracing: HttpServerTracing): void {
  const tracer = tracing.tracer;
  const first: Middleware = function sofaTracerNestStart(req, res, next) {
    const st = tracing.start(req, res);
    if (st === undefined) return next();
    tracer.withSpan(st.span, next);
  };
  try {
    if (typeof adapter.use === 'function') adapter.use(first);
  } catch {
    // no middie yet (Nest 10 under Test.createTestingModule, adapter handed over before its
    // init()): then the onRequest hook below is added before middie's and starts the span first
  }
  // loaded only on the fastify adapter, so express users load no fastify code
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { installFastifyTracing } = require('@sofa-tracer/fastify') as {
    installFastifyTracing: InstallFastify;
  };
  installFastifyTracing(instance, tracing);
}

/** What the module uses of `HttpAdapterHost`. */
export interface AdapterHostLike {
  httpAdapter?: HttpAdapterLike;
}

const kInstalled = Symbol.for('sofa-tracer.nest.installed');

/**
 * Starts the request span at the platform, ahead of everything Nest registers (body parsers,
 * Nest middleware, guards, the 404 handler): the express app's first `app.use`, or on fastify
 * the first middie middleware plus the fastify wiring (see installOnFastify). Called while the module is
 * instantiated, before `app.init()`. Once per underlying instance, whatever the number of
 * modules or tracers. Returns whether the spans were installed now.
 */
export function installOnAdapter(adapter: HttpAdapterLike, tracing: HttpServerTracing): boolean {
  const type = typeof adapter.getType === 'function' ? adapter.getType() : undefined;
  const instance = typeof adapter.getInstance === 'function' ? adapter.getInstance() : undefined;
  if (instance === null || (typeof instance !== 'object' && typeof instance !== 'function')) return false;
  const marked = instance as { [kInstalled]?: true };
  if (marked[kInstalled] === true) return false;
  if (type === 'express') {
    (instance as { use(fn: unknown): unknown }).use(expressTracingMiddleware(tracing));
  } else if (type === 'fastify') {
    installOnFastify(adapter, instance, tracing);
  } else {
    tracing.tracer.selfLog.warn(
      `nest: HTTP adapter "${String(type)}" is not supported; requests are not traced`,
    );
    return false;
  }
  Object.defineProperty(instance, kInstalled, { value: true, enumerable: false });
  return true;
}

/**
 * Calls `install` with the host's adapter as soon as there is one: now (`NestFactory.create`
 * sets it before any provider is built) or when it is assigned later (`Test.createTestingModule`
 * builds providers first and sets the adapter in `createNestApplication()`, still before init).
 */
export function onAdapter(host: AdapterHostLike, install: (adapter: HttpAdapterLike) => void): void {
  const now = host.httpAdapter;
  if (now !== undefined && now !== null) {
    install(now);
    return;
  }
  let proto: object | null = host;
  let desc: PropertyDescriptor | undefined;
  while (proto !== null && desc === undefined) {
    desc = Object.getOwnPropertyDescriptor(proto, 'httpAdapter');
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  let plain: HttpAdapterLike | undefined = now;
  const get = desc?.get;
  const set = desc?.set;
  Object.defineProperty(host, 'httpAdapter', {
    configurable: true,
    enumerable: desc?.enumerable ?? true,
    get(this: unknown) {
      return get !== undefined ? get.call(this) : plain;
    },
    set(this: unknown, value: HttpAdapterLike) {
      if (set !== undefined) set.call(this, value);
      else plain = value;
      if (value !== undefined && value !== null) install(value);
    },
  });
}
