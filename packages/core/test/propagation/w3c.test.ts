import { fnv1a64Hex } from '../../src/ids';
import { getterFor, parseTraceparent, parseTracestate, w3cCodec } from '../../src/propagation';
import { capture, ctx, opts } from './helpers';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const SUITE_TRACE = '12345678901234567890123456789012';

function extract(headers: Record<string, string | string[]>, urlEncode = true) {
  return w3cCodec.extract(getterFor(headers), opts(urlEncode));
}

describe('traceparent validity (W3C Trace Context examples and test-suite cases)', () => {
  it.each([
    ['spec example, sampled', TP, true],
    ['spec example, not sampled', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00', false],
    ['flags 09: only bit 0 counts', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09', true],
    ['flags 02: bit 0 unset', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02', false],
    ['future version cc', `cc-${SUITE_TRACE}-1234567890123456-01`, true],
    [
      'future version with extra fields',
      `cc-${SUITE_TRACE}-1234567890123456-01-what-the-future-will-be-like`,
      true,
    ],
    ['leading/trailing OWS', ` \t00-${SUITE_TRACE}-1234567890123456-01 \t`, true],
  ])('accepts %s', (_name, value, sampled) => {
    const tp = parseTraceparent(value);
    expect(tp).not.toBeNull();
    expect(tp!.sampled).toBe(sampled);
  });

  it.each([
    ['version ff', `ff-${SUITE_TRACE}-1234567890123456-01`],
    ['version 00 with trailing char', `00-${SUITE_TRACE}-1234567890123456-01.`],
    ['version 00 with extra fields', `00-${SUITE_TRACE}-1234567890123456-01-what-the-future-will-be-like`],
    [
      'future version, no dash after flags',
      `cc-${SUITE_TRACE}-1234567890123456-01.what-the-future-will-be-like`,
    ],
    ['illegal version chars', `.0-${SUITE_TRACE}-1234567890123456-01`],
    ['version too long', `000-${SUITE_TRACE}-1234567890123456-01`],
    ['version too short', `0-${SUITE_TRACE}-1234567890123456-01`],
    ['uppercase version', `CC-${SUITE_TRACE}-1234567890123456-01`],
    ['uppercase trace id', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'],
    ['uppercase parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01'],
    ['uppercase flags', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A'],
    ['all-zero trace id', '00-00000000000000000000000000000000-1234567890123456-01'],
    ['all-zero parent id', `00-${SUITE_TRACE}-0000000000000000-01`],
    ['trace id illegal char', '00-.2345678901234567890123456789012-1234567890123456-01'],
    ['trace id too long', '00-123456789012345678901234567890123-1234567890123456-01'],
    ['trace id too short', '00-1234567890123456789012345678901-1234567890123456-01'],
    ['parent id illegal char', `00-${SUITE_TRACE}-123456789012345.-01`],
    ['parent id too long', `00-${SUITE_TRACE}-12345678901234567-01`],
    ['parent id too short', `00-${SUITE_TRACE}-123456789012345-01`],
    ['flags illegal char', `00-${SUITE_TRACE}-1234567890123456-.0`],
    ['flags too long', `00-${SUITE_TRACE}-1234567890123456-001`],
    ['flags too short', `00-${SUITE_TRACE}-1234567890123456-1`],
    ['future version shorter than 55', `cc-${SUITE_TRACE}-1234567890123456-1`],
    [
      'two headers joined by Node',
      `00-${SUITE_TRACE.slice(0, 31)}1-1234567890123456-01, 00-${SUITE_TRACE}-1234567890123456-01`,
    ],
    ['empty', ''],
  ])('rejects %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeNull();
    expect(extract({ traceparent: value, tracestate: 'foo=1' })).toBeNull();
  });

  it('reads the header name in any case', () => {
    for (const name of ['traceparent', 'TraceParent', 'TRACEPARENT', 'TrAcEpArEnT']) {
      expect(extract({ [name]: TP })!.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    }
    expect(extract({ 'trace-parent': TP })).toBeNull();
  });
});

describe('tracestate validity (Level 2 grammar; anything invalid discards the whole header)', () => {
  const keyWithoutVendor = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
  let allValueChars = '';
  for (let c = 0x20; c <= 0x7e; c++) if (c !== 0x2c && c !== 0x3d) allValueChars += String.fromCharCode(c);

  it.each([
    ['single member', 'rojo=00f067aa0ba902b7', ['rojo']],
    ['two vendors', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', ['rojo', 'congo']],
    ['OWS around members', 'foo=1 \t , \t bar=2, \t baz=3', ['foo', 'bar', 'baz']],
    ['empty members allowed', 'foo=1,,  ,bar=2', ['foo', 'bar']],
    ['all key chars', `${keyWithoutVendor}=1`, [keyWithoutVendor]],
    ['multi-tenant key', `${keyWithoutVendor}@a-z0-9_-*/=1`, [`${keyWithoutVendor}@a-z0-9_-*/`]],
    ['tenant id may start with a digit', '0tenant@vendor=1', ['0tenant@vendor']],
    ['256-char simple key', 'z'.repeat(256) + '=1', ['z'.repeat(256)]],
    [
      '241@14 multi-tenant key',
      't'.repeat(241) + '@' + 'v'.repeat(14) + '=1',
      ['t'.repeat(241) + '@' + 'v'.repeat(14)],
    ],
    // Level 2: key = ( lcalpha / DIGIT ) 0*255 ( keychar ), keychar includes "@"
    ['L2: key starting with a digit', '1foo=1', ['1foo']],
    ['L2: "@" at the end', 'foo@=1,bar=2', ['foo@', 'bar']],
    ['L2: "@@"', 'foo@@bar=1,bar=2', ['foo@@bar', 'bar']],
    ['L2: two "@"', 'foo@bar@baz=1,bar=2', ['foo@bar@baz', 'bar']],
    ['L2: 242-char part before "@"', 't'.repeat(242) + '@v=1', ['t'.repeat(242) + '@v']],
    ['L2: 15 chars after "@"', 't@' + 'v'.repeat(15) + '=1', ['t@' + 'v'.repeat(15)]],
    ['L2: digit after "@"', 't@1v=1', ['t@1v']],
    ['L2: 256-char key with "@"', 'a@' + 'b'.repeat(254) + '=1', ['a@' + 'b'.repeat(254)]],
    // Level 2: duplicates no longer invalidate the header; the left-most (most recent) one is kept
    ['L2: duplicate keys, same value', 'foo=1,foo=1', ['foo']],
    ['L2: duplicate keys, other value', 'foo=1,bar=2,foo=3', ['foo', 'bar']],
    [
      '32 members',
      Array.from({ length: 32 }, (_, i) => `bar${i}=${i}`).join(','),
      Array.from({ length: 32 }, (_, i) => `bar${i}`),
    ],
  ])('accepts %s', (_name, value, keys) => {
    expect(parseTracestate(value)!.map((m) => m.key)).toEqual(keys);
  });

  it('accepts every allowed value char (leading space kept, trailing space is OWS)', () => {
    const members = parseTracestate(`foo=${allValueChars}`)!;
    expect(members[0].value).toBe(allValueChars);
    expect(parseTracestate('foo= 1 ')![0].value).toBe(' 1');
  });

  it.each([
    ['33 members', Array.from({ length: 33 }, (_, i) => `bar${i}=${i}`).join(',')],
    ['33 members, one a duplicate', Array.from({ length: 32 }, (_, i) => `bar${i}=${i}`).join(',') + ',bar0=x'],
    ['space in key', 'foo =1'],
    ['uppercase key', 'FOO=1'],
    ['dot in key', 'foo.bar=1'],
    ['key starting with "@"', '@foo=1,bar=2'],
    ['key starting with "_"', '_foo=1'],
    ['257-char key', 'z'.repeat(257) + '=1'],
    ['257-char key with "@"', 'a@' + 'b'.repeat(255) + '=1'],
    ['= in value', 'foo=bar=baz'],
    ['empty value', 'foo=,bar=3'],
    ['257-char value', 'foo=' + 'x'.repeat(257)],
    ['non-ASCII value', 'foo=é'],
    ['missing =', 'foo'],
    ['control char in value', 'foo=a\tb'],
  ])('rejects %s', (_name, value) => {
    expect(parseTracestate(value)).toBeNull();
  });

  it('combines multiple tracestate headers in order and applies the limit across them', () => {
    const ctx32 = extract({
      traceparent: `00-${SUITE_TRACE}-1234567890123456-00`,
      tracestate: ['foo=1,bar=2', 'rojo=1,congo=2', 'baz=3'],
    })!;
    expect(ctx32.traceState).toBe('foo=1,bar=2,rojo=1,congo=2,baz=3');
    // Level 2: a key repeated across headers keeps its first (left-most) member, the rest is kept
    const dup = extract({
      traceparent: `00-${SUITE_TRACE}-1234567890123456-00`,
      tracestate: ['foo=1,bar=2', 'foo=2'],
    })!;
    expect(dup.traceState).toBe('foo=1,bar=2');
    expect(dup.traceId).toBe(SUITE_TRACE);
  });

  it('an empty tracestate is accepted and not kept', () => {
    const c = extract({ traceparent: `00-${SUITE_TRACE}-1234567890123456-00`, tracestate: '' })!;
    expect(c.traceState).toBeUndefined();
    expect(
      extract({ traceparent: `00-${SUITE_TRACE}-1234567890123456-00`, tracestate: ['', 'foo=1'] })!
        .traceState,
    ).toBe('foo=1');
  });

  it('an invalid tracestate does not invalidate the traceparent (and is reported)', () => {
    const o = opts(true);
    const c = w3cCodec.extract(getterFor({ traceparent: TP, tracestate: 'FOO=1' }), o)!;
    expect(c.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(c.traceState).toBeUndefined();
    expect(o.warnings).toEqual([
      'w3c: dropped an invalid tracestate (trace 4bf92f3577b34da6a3ce929d0e0e4736)',
    ]);
  });
});

describe('w3c extract: id mapping', () => {
  it('a foreign parent becomes the remote span id, so the server span is <hex>.1', () => {
    const c = extract({ traceparent: TP, tracestate: 'congo=t61rcWkgMzE' })!;
    expect(c.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(c.spanId).toBe('00f067aa0ba902b7');
    expect(c.parentId).toBe('');
    expect(c.sampled).toBe(true);
    expect(c.remote).toBe(true);
    expect(c.traceState).toBe('congo=t61rcWkgMzE');
    expect(c.nextChildId()).toBe('00f067aa0ba902b7.1');
  });

  it('a matching sofa member restores the dotted id; a non-matching one is ignored and dropped', () => {
    const parent = fnv1a64Hex('0.1.2');
    const match = extract({
      traceparent: `00-000a0fe9271567477985327100211176-${parent}-01`,
      tracestate: 'sofa=0.1.2,congo=x',
    })!;
    expect([match.traceId, match.spanId, match.parentId, match.traceState]).toEqual([
      '000a0fe9271567477985327100211176',
      '0.1.2',
      '0.1',
      'congo=x',
    ]);
    const stale = extract({ traceparent: TP, tracestate: 'sofa=0.1.2,congo=x' })!;
    expect([stale.spanId, stale.traceState]).toEqual(['00f067aa0ba902b7', 'congo=x']);
  });
});

describe('w3c inject', () => {
  it('writes traceparent from the mapped ids and tracestate with our member first', () => {
    const c = ctx('0a0fe9271567477985327100211176', '0.1.1', true);
    c.traceState = 'congo=t61rcWkgMzE,sofa=0.9,rojo=00f067aa0ba902b7';
    const { headers, set } = capture();
    w3cCodec.inject(c, set, opts(true));
    expect(headers).toEqual({
      traceparent: `00-000a0fe9271567477985327100211176-${fnv1a64Hex('0.1.1')}-01`,
      tracestate: 'sofa=0.1.1,congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
    });
  });

  it('flags 00 when not sampled; no baggage header without baggage', () => {
    const { headers, set } = capture();
    w3cCodec.inject(ctx('4bf92f3577b34da6a3ce929d0e0e4736', '0', false), set, opts(true));
    expect(headers.traceparent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${fnv1a64Hex('0')}-00`);
    expect(headers.tracestate).toBe('sofa=0');
    expect(headers.baggage).toBeUndefined();
  });

  it('respects the 32-member limit: long members go first, then from the end', () => {
    const c = ctx('4bf92f3577b34da6a3ce929d0e0e4736', '0.1', true);
    const members = Array.from({ length: 32 }, (_, i) => `k${i}=${i === 5 ? 'x'.repeat(200) : i}`);
    c.traceState = members.join(',');
    const { headers, set } = capture();
    w3cCodec.inject(c, set, opts(true));
    const out = headers.tracestate.split(',');
    expect(out).toHaveLength(32);
    expect(out[0]).toBe('sofa=0.1');
    expect(out.some((m) => m.startsWith('k5='))).toBe(false);
    expect(out[31]).toBe('k31=31');
  });

  it('does not forward an invalid stored tracestate', () => {
    const c = ctx('4bf92f3577b34da6a3ce929d0e0e4736', '0.1', true);
    c.traceState = 'BAD=1\r\nx';
    const { headers, set } = capture();
    w3cCodec.inject(c, set, opts(true));
    expect(headers.tracestate).toBe('sofa=0.1');
  });

  it('round trip between two of our services restores the dotted id and the baggage', () => {
    const client = ctx(
      '0a0fe9271567477985327100211176',
      '0.1',
      true,
      [['zone', 'GZ00A']],
      [
        ['mark', 'T'],
        ['city', '杭州 西湖'],
      ],
    );
    client.traceState = 'congo=t61rcWkgMzE';
    const { headers, set } = capture();
    w3cCodec.inject(client, set, opts(true));
    const server = w3cCodec.extract(getterFor(headers), opts(true))!;
    expect(server.traceId).toBe('000a0fe9271567477985327100211176');
    expect(server.spanId).toBe('0.1');
    expect(server.parentId).toBe('0');
    expect(server.nextChildId()).toBe('0.1.1');
    expect(server.traceState).toBe('congo=t61rcWkgMzE');
    expect(server.sysBaggage).toEqual(client.sysBaggage);
    expect(server.bizBaggage).toEqual(client.bizBaggage);
  });
});
