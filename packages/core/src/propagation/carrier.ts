import type { CarrierGetter, CarrierReader, CarrierSetter, CarrierWriter } from './codec';

/**
 * Carrier adapters: one tiny class per carrier shape instead of per-request closures.
 *
 * Reading rules shared by every adapter:
 * - names are matched case-insensitively (codecs ask for lowercase names);
 * - a `string[]` value (duplicate headers, Kafka arrays) is joined with `", "`, exactly what Node
 *   does with duplicate request headers, so codecs see one shape;
 * - `Buffer`/`Uint8Array` values (Kafka) are decoded as UTF-8, numbers are stringified, anything
 *   else is absent;
 * - a value longer than {@link MAX_HEADER_VALUE_LENGTH} is treated as absent and its name is
 *   remembered in `oversized` so the propagator can warn.
 */

/** Longest header value read from a carrier, in chars; longer values are ignored. */
export const MAX_HEADER_VALUE_LENGTH = 16384;

/** The header shapes `getterFor`/`setterFor` accept. */
export type HeaderValue =
  string | number | readonly string[] | Uint8Array | readonly (string | Uint8Array)[] | undefined | null;

/** Structural type of a WHATWG `Headers` object (fetch, undici). */
export interface HeadersLike {
  get(name: string): string | null;
  set(name: string, value: string): void;
  has(name: string): boolean;
  keys?(): Iterable<string>;
}

/** Anything a codec can read from: a plain object, Node headers, `Headers`, a `Map`, an adapter or a getter function. */
export type CarrierSource =
  | CarrierReader
  | CarrierGetter
  | HeadersLike
  | ReadonlyMap<string, HeaderValue>
  | { readonly [name: string]: HeaderValue | unknown };

/** Anything a codec can write to: a plain object, `Headers`, a `Map`, an adapter or a setter function. */
export type CarrierTarget =
  CarrierWriter | CarrierSetter | HeadersLike | Map<string, unknown> | { [name: string]: unknown };

function valueToString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return undefined;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) {
    let out: string | undefined;
    for (const e of v) {
      const s = valueToString(e);
      if (s === undefined) continue;
      out = out === undefined ? s : out + ', ' + s;
    }
    return out;
  }
  return undefined;
}

/** Base of the adapters: length cap and `oversized` bookkeeping. */
abstract class BaseReader implements CarrierReader {
  /** Names whose values were ignored for being longer than {@link MAX_HEADER_VALUE_LENGTH}. */
  oversized: string[] | undefined = undefined;

  protected abstract raw(lowerName: string): unknown;

  get(lowerName: string): string | undefined {
    let s: string | undefined;
    try {
      s = valueToString(this.raw(lowerName));
    } catch {
      return undefined;
    }
    if (s !== undefined && s.length > MAX_HEADER_VALUE_LENGTH) {
      (this.oversized ??= []).push(lowerName);
      return undefined;
    }
    return s;
  }

  abstract keys(): Iterable<string>;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Plain objects: Node `IncomingHttpHeaders` (already lowercase), kafkajs `message.headers`, user
 * objects with any key case. Exact lowercase keys are read directly; a miss builds (once) a
 * lowercase index, skipped entirely when every key is already lowercase.
 */
export class ObjectReader extends BaseReader {
  private index: Map<string, string> | null | undefined = undefined;

  constructor(private readonly obj: { readonly [name: string]: unknown }) {
    super();
  }

  protected raw(lowerName: string): unknown {
    const o = this.obj;
    if (hasOwn.call(o, lowerName)) return o[lowerName];
    if (this.index === undefined) this.index = buildIndex(Object.keys(o));
    if (this.index === null) return undefined;
    const k = this.index.get(lowerName);
    return k === undefined ? undefined : o[k];
  }

  keys(): Iterable<string> {
    return Object.keys(this.obj);
  }
}

function buildIndex(keys: Iterable<string>): Map<string, string> | null {
  let index: Map<string, string> | null = null;
  for (const k of keys) {
    const lower = k.toLowerCase();
    if (lower === k) continue;
    index ??= new Map();
    // first occurrence wins, like the codecs' duplicate handling
    if (!index.has(lower)) index.set(lower, k);
  }
  return index;
}

/** `Map` carriers with any key case. */
export class MapReader extends BaseReader {
  private index: Map<string, string> | null | undefined = undefined;

  constructor(private readonly map: ReadonlyMap<string, unknown>) {
    super();
  }

  protected raw(lowerName: string): unknown {
    const m = this.map;
    if (m.has(lowerName)) return m.get(lowerName);
    if (this.index === undefined) this.index = buildIndex(m.keys());
    if (this.index === null) return undefined;
    const k = this.index.get(lowerName);
    return k === undefined ? undefined : m.get(k);
  }

  keys(): Iterable<string> {
    return this.map.keys();
  }
}

/** WHATWG `Headers` (case-insensitive itself; joins duplicates with `", "`). */
export class HeadersReader extends BaseReader {
  constructor(private readonly headers: HeadersLike) {
    super();
  }

  protected raw(lowerName: string): unknown {
    const v = this.headers.get(lowerName);
    return v === null ? undefined : v;
  }

  keys(): Iterable<string> {
    const h = this.headers;
    return typeof h.keys === 'function' ? h.keys() : [];
  }
}

/** Wraps a bare getter function (no `keys`, so `baggage-*` headers cannot be listed). */
export class FunctionReader extends BaseReader {
  constructor(private readonly fn: CarrierGetter) {
    super();
  }

  protected raw(lowerName: string): unknown {
    return this.fn(lowerName);
  }

  keys(): Iterable<string> {
    return [];
  }
}

/** Wraps a foreign `CarrierReader` to apply the length cap and never-throw rules. */
class ForeignReader extends BaseReader {
  constructor(private readonly reader: CarrierReader) {
    super();
  }

  protected raw(lowerName: string): unknown {
    return this.reader.get(lowerName);
  }

  keys(): Iterable<string> {
    return typeof this.reader.keys === 'function' ? this.reader.keys() : [];
  }
}

function isHeadersLike(c: object): c is HeadersLike {
  const h = c as Partial<HeadersLike>;
  return typeof h.get === 'function' && typeof h.set === 'function' && typeof h.has === 'function';
}

/** Reader that yields nothing (for `null`/`undefined`/non-object carriers). */
class EmptyReader extends BaseReader {
  protected raw(): unknown {
    return undefined;
  }

  keys(): Iterable<string> {
    return [];
  }
}

/** Common type of every adapter {@link getterFor} returns. */
export type CarrierAdapter = CarrierReader & { oversized: string[] | undefined; keys(): Iterable<string> };

/**
 * The reader for a carrier: Node `IncomingHttpHeaders`, a fetch `Headers`, a `Map`, a plain object
 * with any key case, kafkajs headers (`Buffer`/string values, possibly arrays), a getter function,
 * or an adapter already returned by this function (returned as is).
 */
export function getterFor(carrier: CarrierSource | null | undefined): CarrierAdapter {
  if (carrier instanceof BaseReader) return carrier;
  if (typeof carrier === 'function') return new FunctionReader(carrier as CarrierGetter);
  if (carrier === null || typeof carrier !== 'object') return new EmptyReader();
  if (carrier instanceof Map) return new MapReader(carrier);
  if (isHeadersLike(carrier)) return new HeadersReader(carrier);
  const r = carrier as Partial<CarrierReader>;
  if (typeof r.get === 'function' && !Array.isArray(carrier))
    return new ForeignReader(carrier as CarrierReader);
  return new ObjectReader(carrier as { readonly [name: string]: unknown });
}

/**
 * Plain-object writer. Reuses an existing key that differs only in case (so `{ 'x-b3-traceid': … }`
 * is overwritten, not duplicated — Node would send both), else adds the name as given.
 */
export class ObjectWriter implements CarrierWriter {
  private index: Map<string, string> | null | undefined = undefined;

  constructor(private readonly obj: { [name: string]: unknown }) {}

  set(name: string, value: string): void {
    const o = this.obj;
    if (!hasOwn.call(o, name)) {
      if (this.index === undefined) this.index = buildIndex(Object.keys(o));
      const lower = name.toLowerCase();
      const existing =
        this.index?.get(lower) ?? (lower !== name && hasOwn.call(o, lower) ? lower : undefined);
      if (existing !== undefined) {
        o[existing] = value;
        return;
      }
      if (lower !== name) (this.index ??= new Map()).set(lower, name);
    }
    if (name === '__proto__') {
      Object.defineProperty(o, name, { value, writable: true, enumerable: true, configurable: true });
    } else {
      o[name] = value;
    }
  }
}

/** `Map` writer (case-insensitive replacement like {@link ObjectWriter}). */
export class MapWriter implements CarrierWriter {
  constructor(private readonly map: Map<string, unknown>) {}

  set(name: string, value: string): void {
    const m = this.map;
    if (!m.has(name)) {
      const lower = name.toLowerCase();
      for (const k of m.keys()) {
        if (k.toLowerCase() === lower) {
          m.set(k, value);
          return;
        }
      }
    }
    m.set(name, value);
  }
}

/** WHATWG `Headers` writer; a value `Headers` rejects is skipped instead of thrown. */
export class HeadersWriter implements CarrierWriter {
  constructor(private readonly headers: HeadersLike) {}

  set(name: string, value: string): void {
    try {
      this.headers.set(name, value);
    } catch {
      // codecs only write sanitised values; this guards against exotic Headers implementations
    }
  }
}

class FunctionWriter implements CarrierWriter {
  constructor(private readonly fn: CarrierSetter) {}

  set(name: string, value: string): void {
    this.fn(name, value);
  }
}

class NullWriter implements CarrierWriter {
  set(): void {}
}

/** The writer for a carrier (plain object, `Headers`, `Map`, setter function or adapter). */
export function setterFor(carrier: CarrierTarget | null | undefined): CarrierWriter {
  if (
    carrier instanceof ObjectWriter ||
    carrier instanceof MapWriter ||
    carrier instanceof HeadersWriter ||
    carrier instanceof FunctionWriter
  ) {
    return carrier;
  }
  if (typeof carrier === 'function') return new FunctionWriter(carrier as CarrierSetter);
  if (carrier === null || typeof carrier !== 'object') return new NullWriter();
  if (carrier instanceof Map) return new MapWriter(carrier);
  if (isHeadersLike(carrier)) return new HeadersWriter(carrier);
  const w = carrier as Partial<CarrierWriter>;
  if (typeof w.set === 'function') return carrier as CarrierWriter;
  return new ObjectWriter(carrier as { [name: string]: unknown });
}

/** Normalises a codec argument to a reader (adapters pass through untouched). */
export function toReader(get: CarrierGetter | CarrierReader): CarrierReader {
  return typeof get === 'function' ? new FunctionReader(get) : get;
}

/** Normalises a codec argument to a writer. */
export function toWriter(set: CarrierSetter | CarrierWriter): CarrierWriter {
  return typeof set === 'function' ? new FunctionWriter(set) : set;
}

/** Calls `writer.set`, swallowing any error so injection never breaks the caller. */
export function safeSet(writer: CarrierWriter, name: string, value: string): void {
  try {
    writer.set(name, value);
  } catch {
    // a user-supplied setter threw; injection is best effort
  }
}
