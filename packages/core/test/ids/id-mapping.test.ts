import { fnv1a64Hex, toW3cSpanId, toW3cTraceId } from '../../src/ids';

describe('toW3cTraceId', () => {
  it('left-pads a SOFA trace id to 32 hex', () => {
    expect(toW3cTraceId('0a0fe9271567477985327100211176')).toBe('000a0fe9271567477985327100211176');
  });

  it('keeps a 32-hex id and pads a 16-hex id', () => {
    expect(toW3cTraceId('4bf92f3577b34da6a3ce929d0e0e4736')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(toW3cTraceId('463ac35c9f6413ad')).toBe('0000000000000000463ac35c9f6413ad');
  });

  it('strips a trailing T first, as the Java Zipkin adapter does', () => {
    expect(toW3cTraceId('0a0fe9271567477985327100211176T')).toBe('000a0fe9271567477985327100211176');
  });

  it('lowercases uppercase hex', () => {
    expect(toW3cTraceId('4BF92F3577B34DA6A3CE929D0E0E4736')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('hashes longer or non-hex ids deterministically: fnv(id) + fnv(reversed id)', () => {
    const uuid = '123e4567-e89b-12d3-a456-426614174000';
    const expected = fnv1a64Hex(uuid) + fnv1a64Hex([...uuid].reverse().join(''));
    expect(toW3cTraceId(uuid)).toBe(expected);
    expect(toW3cTraceId(uuid)).toMatch(/^[0-9a-f]{32}$/);
    const long = 'a'.repeat(40);
    expect(toW3cTraceId(long)).toMatch(/^[0-9a-f]{32}$/);
    expect(toW3cTraceId(long)).not.toBe(toW3cTraceId('a'.repeat(41)));
    expect(toW3cTraceId('front-end_Trace-42')).toBe(toW3cTraceId('front-end_Trace-42'));
  });

  it('never returns all zeros', () => {
    expect(toW3cTraceId('0')).toBe('00000000000000000000000000000001');
    expect(toW3cTraceId('0'.repeat(32))).toBe('00000000000000000000000000000001');
  });
});

describe('toW3cSpanId', () => {
  it('is FNV-1a 64 of the dotted id', () => {
    expect(toW3cSpanId('0')).toBe(fnv1a64Hex('0'));
    expect(toW3cSpanId('0.1')).toBe(fnv1a64Hex('0.1'));
    expect(toW3cSpanId('0.1.1')).toBe(fnv1a64Hex('0.1.1'));
    expect(toW3cSpanId('0.1')).not.toBe(toW3cSpanId('0.2'));
  });

  it('maps a bare 16-hex foreign id to itself so links to foreign spans stay exact', () => {
    expect(toW3cSpanId('00f067aa0ba902b7')).toBe('00f067aa0ba902b7');
    expect(toW3cSpanId('00f067aa0ba902b7.1')).toBe(fnv1a64Hex('00f067aa0ba902b7.1'));
    expect(toW3cSpanId('0000000000000000')).toBe('0000000000000001');
  });
});
