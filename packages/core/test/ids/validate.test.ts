import { isValidSpanId, isValidTraceId, spanIdDepth } from '../../src/ids';

describe('isValidTraceId', () => {
  it.each([
    '0a0fe9271567477985327100211176',
    '4bf92f3577b34da6a3ce929d0e0e4736',
    'ABCdef_123-xyz',
    'a',
    'x'.repeat(64),
  ])('accepts %s', (id) => expect(isValidTraceId(id)).toBe(true));

  it.each([
    ['empty', ''],
    ['65 chars', 'x'.repeat(65)],
    ['CR/LF', 'abc\r\nSet-Cookie: x'],
    ['space', 'abc def'],
    ['dot', 'abc.def'],
    ['percent', 'abc%0d'],
    ['comma', 'abc,def'],
    ['unicode', 'abcé'],
  ])('rejects %s', (_name, id) => expect(isValidTraceId(id)).toBe(false));

  it('rejects non-strings', () => {
    expect(isValidTraceId(undefined)).toBe(false);
    expect(isValidTraceId(42)).toBe(false);
  });
});

describe('isValidSpanId', () => {
  it.each([
    '0',
    '0.1',
    '0.1.1',
    '0.12.345',
    '00f067aa0ba902b7',
    '00f067aa0ba902b7.1',
    'a'.repeat(32),
    '0.' + '1.'.repeat(98) + '1',
  ])('accepts %s', (id) => expect(isValidSpanId(id)).toBe(true));

  it.each([
    ['empty', ''],
    ['trailing dot', '0.'],
    ['leading dot', '.1'],
    ['double dot', '0..1'],
    ['hex child segment', '0.a'],
    ['uppercase root', 'ABC'],
    ['root over 32 hex', 'a'.repeat(33)],
    ['CR/LF', '0.1\r\n'],
    ['space', '0. 1'],
    ['101 segments', '0' + '.1'.repeat(100)],
    ['11-digit segment', '0.12345678901'],
    ['over 512 chars', '0' + '.1234567890'.repeat(60)],
  ])('rejects %s', (_name, id) => expect(isValidSpanId(id)).toBe(false));

  it('accepts exactly 100 segments', () => {
    expect(isValidSpanId('0' + '.1'.repeat(99))).toBe(true);
  });
});

describe('spanIdDepth', () => {
  it('counts segments', () => {
    expect(spanIdDepth('0')).toBe(1);
    expect(spanIdDepth('0.1.2')).toBe(3);
    expect(spanIdDepth('')).toBe(0);
  });
});
