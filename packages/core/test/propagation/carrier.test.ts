import { getterFor, MAX_HEADER_VALUE_LENGTH, setterFor } from '../../src/propagation';

describe('getterFor', () => {
  it('reads Node IncomingHttpHeaders (lowercase keys, string | string[])', () => {
    const r = getterFor({ 'x-b3-traceid': 'abc', 'set-cookie': ['a=1', 'b=2'] });
    expect(r.get('x-b3-traceid')).toBe('abc');
    expect(r.get('set-cookie')).toBe('a=1, b=2');
    expect(r.get('missing')).toBeUndefined();
    expect([...r.keys()]).toEqual(['x-b3-traceid', 'set-cookie']);
  });

  it('reads plain objects with any key case', () => {
    const r = getterFor({ 'X-B3-TraceId': 'abc', TraceParent: 'tp' });
    expect(r.get('x-b3-traceid')).toBe('abc');
    expect(r.get('traceparent')).toBe('tp');
  });

  it('reads a fetch Headers object', () => {
    const h = new Headers();
    h.append('X-B3-SpanId', '0.1');
    h.append('baggage-mark', 'T');
    const r = getterFor(h);
    expect(r.get('x-b3-spanid')).toBe('0.1');
    expect([...r.keys()]).toEqual(['baggage-mark', 'x-b3-spanid']);
  });

  it('reads kafka headers: Buffer, string and arrays of either', () => {
    const r = getterFor({
      'X-B3-TraceId': Buffer.from('0a0fe9271567477985327100211176'),
      'baggage-city': Buffer.from('杭州'),
      multi: [Buffer.from('a'), 'b'],
    });
    expect(r.get('x-b3-traceid')).toBe('0a0fe9271567477985327100211176');
    expect(r.get('baggage-city')).toBe('杭州');
    expect(r.get('multi')).toBe('a, b');
  });

  it('reads Maps case-insensitively and wraps getter functions', () => {
    expect(getterFor(new Map([['SFTC_HEAD', 'x']])).get('sftc_head')).toBe('x');
    expect(getterFor((n: string) => (n === 'b3' ? '0' : undefined)).get('b3')).toBe('0');
  });

  it('ignores oversized values and remembers their names', () => {
    const r = getterFor({ baggage: 'a'.repeat(MAX_HEADER_VALUE_LENGTH + 1), ok: 'x' });
    expect(r.get('baggage')).toBeUndefined();
    expect(r.get('ok')).toBe('x');
    expect(r.oversized).toEqual(['baggage']);
  });

  it('does not read inherited properties such as __proto__ or constructor', () => {
    const r = getterFor({});
    expect(r.get('__proto__')).toBeUndefined();
    expect(r.get('constructor')).toBeUndefined();
    expect(r.get('tostring')).toBeUndefined();
  });

  it('tolerates null, undefined and getters that throw', () => {
    expect(getterFor(null).get('x')).toBeUndefined();
    expect(getterFor(undefined).get('x')).toBeUndefined();
    expect(
      getterFor(() => {
        throw new Error('boom');
      }).get('x'),
    ).toBeUndefined();
  });
});

describe('setterFor', () => {
  it('writes plain objects, replacing a key that differs only in case', () => {
    const o: Record<string, unknown> = { 'x-b3-traceid': 'old', Other: 'keep' };
    const w = setterFor(o);
    w.set('X-B3-TraceId', 'new');
    w.set('traceparent', 'tp');
    w.set('OTHER', 'replaced');
    expect(o).toEqual({ 'x-b3-traceid': 'new', Other: 'replaced', traceparent: 'tp' });
  });

  it('writes a fetch Headers object and Maps', () => {
    const h = new Headers();
    setterFor(h).set('X-B3-SpanId', '0.1');
    expect(h.get('x-b3-spanid')).toBe('0.1');
    const m = new Map<string, unknown>([['B3', 'old']]);
    setterFor(m).set('b3', 'new');
    expect([...m]).toEqual([['B3', 'new']]);
  });

  it('writes a __proto__ name as an own property without touching the prototype', () => {
    const o: Record<string, unknown> = {};
    setterFor(o).set('__proto__', 'x');
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(o, '__proto__')).toBe(true);
  });

  it('wraps setter functions', () => {
    const calls: [string, string][] = [];
    setterFor((n: string, v: string) => calls.push([n, v])).set('b3', '1');
    expect(calls).toEqual([['b3', '1']]);
  });
});
