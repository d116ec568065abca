import { isTraceHeader } from '@sofa-tracer/kafka';
import { headersForSend, traceTextMap } from '../src/headers';

describe('record headers', () => {
  it('knows the names every propagation format writes, in any case, and nothing else', () => {
    for (const n of [
      'X-B3-TraceId',
      'x-b3-sampled',
      'baggage',
      'baggage-sys-zone',
      'BAGGAGE-user',
      'traceparent',
      'Tracestate',
      'sftc_head',
      'b3',
    ])
      expect(isTraceHeader(n)).toBe(true);
    for (const n of ['x-request-id', 'bag', 'b3x', 'trace', 'content-type', '', 'sftc'])
      expect(isTraceHeader(n)).toBe(false);
  });

  it('headersForSend copies user headers (even __proto__) and drops stale trace headers', () => {
    const src = JSON.parse('{"__proto__":"p","X-B3-TraceId":"old","keep":"1","baggage-x":"y"}');
    const out = headersForSend(src);
    expect(Object.keys(out)).toEqual(['__proto__', 'keep']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(headersForSend(undefined)).toEqual({});
  });

  it('traceTextMap: Buffers decoded, the last of repeated values wins, names in any case (the later wins)', () => {
    expect(
      traceTextMap({
        'X-B3-TraceId': [Buffer.from('first'), 'second'],
        'x-b3-spanid': Buffer.from('0.1'),
        'X-B3-SPANID': '0.7',
        other: 'ignored',
        'baggage-a': [],
      }),
    ).toEqual({ 'X-B3-TraceId': 'second', 'X-B3-SPANID': '0.7' });
    expect(traceTextMap({ other: 'x' })).toBeUndefined();
    expect(traceTextMap(undefined)).toBeUndefined();
  });
});
