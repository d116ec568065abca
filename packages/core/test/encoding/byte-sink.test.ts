import { StringSink } from '../../src/encoding/byte-sink';
import { jsonString, legacyValue } from '../../src/encoding/json-string';

// Every character class the encoders treat differently, and lone/paired surrogates.
const PIECES = [
  'plain',
  '/users/42?q=1',
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u00a0',
  'é',
  '中文',
  '\u2028',
  '\u2029',
  '\ud83d\ude00',
  '\ud83d',
  '\ude00',
  ',',
  '%',
  '%2C',
  ' ',
  '',
];

function randomString(seed: number): string {
  let s = '';
  let x = seed;
  const n = (x % 7) + 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    s += PIECES[x % PIECES.length];
  }
  return s;
}

describe('ByteSink', () => {
  const sink = new StringSink();
  const bytesOf = (write: () => void): Buffer => {
    write();
    return Buffer.from(sink.take(), 'utf8');
  };

  it('writes exactly the UTF-8 bytes of jsonString and legacyValue, for every kind of character', () => {
    const inputs = [...PIECES];
    for (let seed = 1; seed < 3000; seed++) inputs.push(randomString(seed));
    for (const s of inputs) {
      // (the sink's own bytes, decoded: a lone surrogate would come back as U+FFFD, so compare bytes)
      expect(bytesOf(() => sink.json(s))).toEqual(Buffer.from(jsonString(s), 'utf8'));
      expect(bytesOf(() => sink.legacy(s))).toEqual(Buffer.from(legacyValue(s), 'utf8'));
      expect(bytesOf(() => sink.utf8(s))).toEqual(Buffer.from(s, 'utf8'));
      expect(bytesOf(() => sink.ascii(s))).toEqual(Buffer.from(s, 'utf8'));
    }
  });

  it('writes numbers as String(n) does', () => {
    for (const n of [
      0, -0, 1, 9, 10, 99, 100, 12345, 99999, 100000, 999999, 1e6, 1234567, 1.5, -1, -42, 1e21, 0.1,
    ]) {
      sink.number(n);
      expect(sink.take()).toBe(String(n));
    }
  });

  it('grows past its first buffer without losing what was written', () => {
    const long = 'x'.repeat(10_000) + '"' + 'y'.repeat(10_000);
    sink.bytes(Buffer.from('['));
    sink.json(long);
    sink.bytes(Buffer.from(']'));
    expect(sink.take()).toBe('[' + JSON.stringify(long) + ']');
  });
});
