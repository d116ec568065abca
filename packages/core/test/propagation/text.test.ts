import { baggageValueEncode, javaUrlDecode, javaUrlEncode, percentDecode } from '../../src/propagation';

describe('Java URL encoding', () => {
  it('matches java.net.URLEncoder.encode(s, "UTF-8")', () => {
    // values checked against URLEncoder's documented rules: [A-Za-z0-9.*_-] kept, space → +
    expect(javaUrlEncode('abc-1.2_*')).toBe('abc-1.2_*');
    expect(javaUrlEncode('a b+c')).toBe('a+b%2Bc');
    expect(javaUrlEncode('杭州')).toBe('%E6%9D%AD%E5%B7%9E');
    expect(javaUrlEncode('a=b&c%')).toBe('a%3Db%26c%25');
    expect(javaUrlEncode('😀')).toBe('%F0%9F%98%80');
    expect(javaUrlEncode('\r\n')).toBe('%0D%0A');
  });

  it('encodes a lone surrogate as U+FFFD instead of throwing', () => {
    expect(javaUrlEncode('a\ud800b')).toBe('a%EF%BF%BDb');
  });

  it('decodes + as space, %XX as UTF-8, and never throws on bad input', () => {
    expect(javaUrlDecode('a+b%2Bc')).toBe('a b+c');
    expect(javaUrlDecode('%E6%9D%AD%E5%B7%9E')).toBe('杭州');
    expect(javaUrlDecode('100%')).toBe('100%');
    expect(javaUrlDecode('%zz%4')).toBe('%zz%4');
    expect(javaUrlDecode('%E6%9D')).toBe('\ufffd');
    expect(javaUrlDecode('plain')).toBe('plain');
  });
});

describe('W3C baggage value encoding', () => {
  it('keeps baggage-octets, encodes the rest (and %) as UTF-8', () => {
    expect(baggageValueEncode('alice')).toBe('alice');
    expect(baggageValueEncode('DF 28')).toBe('DF%2028');
    expect(baggageValueEncode('a,b;c\\d"e%')).toBe('a%2Cb%3Bc%5Cd%22e%25');
    expect(baggageValueEncode('x=y+z')).toBe('x=y+z');
    expect(baggageValueEncode('杭州')).toBe('%E6%9D%AD%E5%B7%9E');
  });

  it('decodes without turning + into a space; invalid UTF-8 becomes U+FFFD', () => {
    expect(percentDecode('DF%2028+x', false)).toBe('DF 28+x');
    expect(percentDecode('%FF', false)).toBe('\ufffd');
  });
});
