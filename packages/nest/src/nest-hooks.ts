import type { Tracer } from '@sofa-tracer/core';
import { HANDLER_TAG } from './log-type';
import { requestState } from './request-state';

/**
 * Two hooks into the @nestjs/core copy the application runs (resolved like the module's own
 * `@nestjs/core` import, i.e. the application's), installed when the module is instantiated —
 * before `app.init()` builds the routes — so it does not matter which was loaded first:
 *
 * - `RouterExecutionContext.prototype.create` builds one handler per route, before guards,
 *   interceptors and pipes run: the wrapper tags the request span with `Controller.method`.
 * - `ExceptionsHandler.prototype.next` receives every error of an HTTP route or Nest middleware
 *   (guards, pipes, interceptors, handlers, the 404 handler) before the exception filters: the
 *   error is recorded and handed on unchanged, so filters get the original object.
 */

type Fn = (this: unknown, ...args: unknown[]) => unknown;
const kPatched = Symbol.for('sofa-tracer.nest.patched');

function loadProto(path: string, exportName: string): Record<PropertyKey, unknown> | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- internal Nest module, loaded on demand
  const mod = require(path) as Record<string, { prototype?: Record<PropertyKey, unknown> } | undefined>;
  return mod[exportName]?.prototype;
}

/** `UsersController.findOne`; the class name of request-scoped instances is the same. */
function handlerName(instance: unknown, methodName: unknown): string {
  const ctor = (instance as { constructor?: { name?: string } } | null)?.constructor;
  return (ctor?.name || 'anonymous') + '.' + String(methodName);
}

function patchCreate(proto: Record<PropertyKey, unknown>): void {
  const original = proto.create as Fn;
  proto.create = function sofaTracedCreate(
    this: unknown,
    instance: unknown,
    _callback: unknown,
    methodName: unknown,
  ) {
    // eslint-disable-next-line prefer-rest-params -- forwards the exact call
    const handler = Reflect.apply(original, this, arguments) as Fn;
    if (typeof handler !== 'function') return handler;
    const name = handlerName(instance, methodName);
    return function sofaTracedRoute(this: unknown, req: unknown) {
      const st = requestState(req);
      if (st !== undefined) st.span.setTag(HANDLER_TAG, name);
      // eslint-disable-next-line prefer-rest-params -- forwards the exact call
      return Reflect.apply(handler, this, arguments);
    };
  };
}

/**
 * What the `error` field shows. An HttpException whose response lists several messages (what
 * `ValidationPipe` throws: `message: ['name must be a string', …]`, while `error.message` is just
 * "Bad Request Exception") is recorded as an Error with those messages joined, its `cause` the
 * original; anything else as it is. Nest's filters always get the original.
 */
function recordedError(exception: unknown): unknown {
  if (!(exception instanceof Error)) return exception;
  const getResponse = (exception as { getResponse?: unknown }).getResponse;
  if (typeof getResponse !== 'function') return exception;
  const body = getResponse.call(exception) as { message?: unknown } | null | undefined;
  const list = body !== null && typeof body === 'object' ? body.message : undefined;
  if (!Array.isArray(list) || list.length === 0) return exception;
  const described = new Error(list.map(String).join('; '), { cause: exception });
  described.name = exception.name;
  if (exception.stack !== undefined) described.stack = exception.stack;
  return described;
}

function patchNext(proto: Record<PropertyKey, unknown>): void {
  const original = proto.next as Fn;
  proto.next = function sofaTracedNext(this: unknown, exception: unknown, host: unknown) {
    try {
      const h = host as { getArgByIndex?: (i: number) => unknown } | undefined;
      const st = requestState(typeof h?.getArgByIndex === 'function' ? h.getArgByIndex(0) : undefined);
      if (st !== undefined) st.recordError(recordedError(exception));
    } catch {
      // recording must never change what Nest does with the error
    }
    // eslint-disable-next-line prefer-rest-params -- forwards the exact call
    return Reflect.apply(original, this, arguments);
  };
}

interface Internals {
  routerExecutionContext?: Record<PropertyKey, unknown>;
  exceptionsHandler?: Record<PropertyKey, unknown>;
  error?: unknown;
}

// Loaded with this module (next to its `@nestjs/core` import, so from the same copy), patched
// when a SofaTracerModule is instantiated.
const internals: Internals = ((): Internals => {
  try {
    return {
      routerExecutionContext: loadProto(
        '@nestjs/core/router/router-execution-context',
        'RouterExecutionContext',
      ),
      exceptionsHandler: loadProto('@nestjs/core/exceptions/exceptions-handler', 'ExceptionsHandler'),
    };
  } catch (error) {
    return { error };
  }
})();

/** Installs the hooks once per @nestjs/core copy; a failure is self-logged (spans stay, without handler names). */
export function hookNestCore(tracer: Tracer): void {
  try {
    if (internals.error !== undefined) throw internals.error;
    const rec = internals.routerExecutionContext;
    if (rec !== undefined && rec[kPatched] !== true && typeof rec.create === 'function') {
      patchCreate(rec);
      rec[kPatched] = true;
    }
    const eh = internals.exceptionsHandler;
    if (eh !== undefined && eh[kPatched] !== true && typeof eh.next === 'function') {
      patchNext(eh);
      eh[kPatched] = true;
    }
    if (rec === undefined || eh === undefined)
      throw new Error('RouterExecutionContext or ExceptionsHandler not found');
  } catch (e) {
    tracer.selfLog.error('nest: could not hook @nestjs/core; handler names and errors are not recorded', e);
  }
}
