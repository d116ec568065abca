import type { EventEmitter } from 'node:events';
import type { Span } from '../tracer/types';
import { spanStorage } from './storage';

/**
 * Binds `fn` to `span` (default: the current span), for callbacks handed to code that loses the
 * async context (connection pools, custom queues).
 */
export function bindToSpan<F extends (...args: never[]) => unknown>(
  fn: F,
  span: Span | undefined = spanStorage.getStore(),
): F {
  if (typeof fn !== 'function') return fn;
  const bound = function (this: unknown, ...args: never[]) {
    return spanStorage.run(span, () => fn.apply(this, args));
  };
  return bound as unknown as F;
}

const ADDERS = ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener'] as const;
const REMOVERS = ['off', 'removeListener'] as const;
const BOUND = Symbol('sofa-tracer.boundEmitter');

type ListenerFn = (...args: unknown[]) => unknown;
type Patched = EventEmitter & { [BOUND]?: WeakMap<ListenerFn, ListenerFn> };

/**
 * Makes every listener later added to `emitter` run in `span`'s context (default: current span).
 * `removeListener`/`off` still work with the original function. Binding twice keeps the first span.
 */
export function bindEmitterToSpan<E extends EventEmitter>(
  emitter: E,
  span: Span | undefined = spanStorage.getStore(),
): E {
  const target = emitter as Patched;
  if (!target || typeof target.on !== 'function' || target[BOUND]) return emitter;
  const map = new WeakMap<ListenerFn, ListenerFn>();
  target[BOUND] = map;
  for (const name of ADDERS) {
    const original = target[name] as (event: string | symbol, l: ListenerFn) => E;
    if (typeof original !== 'function') continue;
    target[name] = function (this: E, event: string | symbol, listener: ListenerFn) {
      if (typeof listener !== 'function') return original.call(this, event, listener);
      let bound = map.get(listener);
      if (!bound) {
        bound = bindToSpan(listener as (...args: never[]) => unknown, span) as ListenerFn;
        map.set(listener, bound);
      }
      return original.call(this, event, bound);
    } as never;
  }
  for (const name of REMOVERS) {
    const original = target[name] as (event: string | symbol, l: ListenerFn) => E;
    if (typeof original !== 'function') continue;
    target[name] = function (this: E, event: string | symbol, listener: ListenerFn) {
      return original.call(this, event, map.get(listener) ?? listener);
    } as never;
  }
  return emitter;
}
