import {
  decodeBaggage,
  encodeBaggage,
  escapeBaggage,
  limitBaggage,
  unescapeBaggage,
} from '../../src/propagation';

describe('SOFA baggage encoding', () => {
  it('writes k=v& with a trailing & in insertion order', () => {
    expect(
      encodeBaggage(
        new Map([
          ['mark', 'T'],
          ['uid', '42'],
        ]),
      ),
    ).toBe('mark=T&uid=42&');
    expect(encodeBaggage(new Map())).toBe('');
  });

  it('escapes % first, then & and =', () => {
    expect(escapeBaggage('a%b&c=d')).toBe('a%25b%26c%3Dd');
    expect(encodeBaggage(new Map([['k=1', 'v&%']]))).toBe('k%3D1=v%26%25&');
  });

  it('unescapes in one pass (so an escaped %3D literal survives)', () => {
    expect(unescapeBaggage('a%25b%26c%3Dd')).toBe('a%b&c=d');
    expect(unescapeBaggage(escapeBaggage('%3D'))).toBe('%3D');
    expect(unescapeBaggage('100%')).toBe('100%');
    expect(unescapeBaggage('%3d')).toBe('=');
  });

  it('round-trips awkward maps', () => {
    const m = new Map([
      ['k=1', 'v&%'],
      ['杭州', '西湖=美'],
      ['%25', '%26'],
      ['empty', ''],
    ]);
    expect(decodeBaggage(encodeBaggage(m))).toEqual(m);
  });

  it('decodes leniently: no trailing &, segments without =, first key wins', () => {
    expect(decodeBaggage('a=1&b=2')).toEqual(
      new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
    );
    expect(decodeBaggage('junk&a=1&=x&a=2&')).toEqual(new Map([['a', '1']]));
    expect(decodeBaggage('')).toEqual(new Map());
  });
});

describe('limitBaggage', () => {
  it('returns the same map when it fits', () => {
    const m = new Map([['a', '1']]);
    const warn = jest.fn();
    expect(limitBaggage(m, 4, warn)).toBe(m);
    expect(warn).not.toHaveBeenCalled();
  });

  it('keeps entries in insertion order while the encoded length fits, drops the rest and names them', () => {
    // 'a=1&' = 4, 'bb=22&' = 6, 'c=3&' = 4
    const m = new Map([
      ['a', '1'],
      ['bb', '22'],
      ['c', '3'],
    ]);
    const warn = jest.fn();
    const out = limitBaggage(m, 9, warn, 'biz baggage');
    expect([...out]).toEqual([['a', '1']]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toBe('biz baggage exceeds 9 chars (encoded); dropped 2 entries: "bb", "c"');
    expect(m.size).toBe(3); // input untouched
  });

  it('counts escapes in the encoded length', () => {
    // 'k=%25&' is 6 chars
    expect(limitBaggage(new Map([['k', '%']]), 5).size).toBe(0);
    expect(limitBaggage(new Map([['k', '%']]), 6).size).toBe(1);
  });

  it('treats a negative or infinite limit as unlimited and 0 as none', () => {
    const m = new Map([['a', '1']]);
    expect(limitBaggage(m, -1)).toBe(m);
    expect(limitBaggage(m, Infinity)).toBe(m);
    expect(limitBaggage(m, 0).size).toBe(0);
  });

  it('survives a throwing warn', () => {
    const out = limitBaggage(new Map([['a', '1']]), 0, () => {
      throw new Error('boom');
    });
    expect(out.size).toBe(0);
  });
});
