import { traceFunction, type TagValue } from '@sofa-tracer/core';
import { currentTracer } from './current-tracer';

/** Options of {@link Traced}. */
export interface TracedOptions {
  /** Span name; default `ClassName.methodName`. */
  name?: string;
  /** Extra tags on every span. */
  tags?: Record<string, TagValue>;
}

type AnyFn = (...args: unknown[]) => unknown;

const kTraced = Symbol.for('sofa-tracer.nest.traced');

/**
 * Copies what other decorators put on the original method (Nest's `@Get`, `@UseGuards`,
 * `@SetMetadata`… store reflect metadata on the function itself) and what frameworks read from
 * it (`name`, `length`), so the wrapper is indistinguishable for them.
 */
function copyIdentity(from: AnyFn, to: AnyFn): void {
  Object.defineProperty(to, 'name', { value: from.name, configurable: true });
  Object.defineProperty(to, 'length', { value: from.length, configurable: true });
  const R = Reflect as unknown as {
    getOwnMetadataKeys?: (t: object) => unknown[];
    getOwnMetadata?: (k: unknown, t: object) => unknown;
    defineMetadata?: (k: unknown, v: unknown, t: object) => void;
  };
  if (typeof R.getOwnMetadataKeys === 'function' && R.getOwnMetadata && R.defineMetadata) {
    for (const key of R.getOwnMetadataKeys(from)) R.defineMetadata(key, R.getOwnMetadata(key, from), to);
  }
  for (const key of Object.keys(from))
    (to as unknown as Record<string, unknown>)[key] = (from as unknown as Record<string, unknown>)[key];
}

function wrapMethod(original: AnyFn, spanName: string, tags: Record<string, TagValue> | undefined): AnyFn {
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    const tracer = currentTracer();
    if (tracer === undefined) return original.apply(this, args);
    return traceFunction(spanName, () => original.apply(this, args), { tracer, tags });
  };
  copyIdentity(original, wrapper);
  Object.defineProperty(wrapper, kTraced, { value: true });
  return wrapper;
}

function decorateMethod(
  owner: { name?: string; constructor?: { name?: string } },
  isStatic: boolean,
  key: string | symbol,
  descriptor: PropertyDescriptor,
  options: TracedOptions,
): PropertyDescriptor {
  const original = descriptor.value as unknown;
  if (typeof original !== 'function' || (original as unknown as Record<symbol, unknown>)[kTraced] === true)
    return descriptor;
  const className = (isStatic ? owner.name : owner.constructor?.name) ?? 'anonymous';
  const name = options.name ?? className + '.' + String(key);
  descriptor.value = wrapMethod(original as AnyFn, name, options.tags);
  return descriptor;
}

/**
 * A business span around a method (a `biz-digest.log` line, child of the request span, result
 * `00` or `99` with the error), named `ClassName.method` unless `name` is given. On a class, every
 * method of its prototype is traced. The wrapper keeps the method's name and all its reflect
 * metadata, so Nest's decorators on the same method (`@Get`, `@UseGuards`, pipes) keep working,
 * in either decorator order. Without a running tracer the method runs untraced.
 */
export function Traced(nameOrOptions?: string | TracedOptions): MethodDecorator & ClassDecorator {
  const options: TracedOptions =
    typeof nameOrOptions === 'string' ? { name: nameOrOptions } : (nameOrOptions ?? {});
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (key !== undefined && descriptor !== undefined) {
      return decorateMethod(
        target as { name?: string },
        typeof target === 'function',
        key,
        descriptor,
        options,
      );
    }
    const ctor = target as { name: string; prototype: object };
    const proto = ctor.prototype;
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor') continue;
      const d = Object.getOwnPropertyDescriptor(proto, name);
      if (d === undefined || typeof d.value !== 'function') continue;
      // a class-wide name would give every method the same span name: keep per-method names
      const perMethod: TracedOptions = { tags: options.tags };
      Object.defineProperty(proto, name, decorateMethod(proto, false, name, d, perMethod));
    }
    return undefined;
  }) as MethodDecorator & ClassDecorator;
}
