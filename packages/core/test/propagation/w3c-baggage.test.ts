import { formatW3cBaggage, getterFor, parseW3cBaggage, w3cCodec } from '../../src/propagation';
import { capture, ctx, opts } from './helpers';

describe('W3C baggage parse', () => {
  it('reads the spec examples', () => {
    expect([...parseW3cBaggage('userId=alice,serverNode=DF%2028,isProduction=false').biz!]).toEqual([
      ['userId', 'alice'],
      ['serverNode', 'DF 28'],
      ['isProduction', 'false'],
    ]);
    // OWS around keys and values, properties ignored
    const p = parseW3cBaggage(
      'key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue',
    );
    expect([...p.biz!]).toEqual([
      ['key1', 'value1'],
      ['key2', 'value2'],
      ['key3', 'value3'],
    ]);
    expect([...parseW3cBaggage('userId =   alice, serverNode = DF%2028').biz!]).toEqual([
      ['userId', 'alice'],
      ['serverNode', 'DF 28'],
    ]);
  });

  it('allows = inside values and maps sofa-sys- members to sys baggage', () => {
    const p = parseW3cBaggage('expr=a=b,sofa-sys-zone=GZ00A');
    expect(p.biz!.get('expr')).toBe('a=b');
    expect([...p.sys!]).toEqual([['zone', 'GZ00A']]);
  });

  it('skips invalid members and keeps the valid ones', () => {
    const p = parseW3cBaggage(
      'ok=1,bad key=2,noequals,q="x",b=back\\slash,cr=%0D%0A,utf=%E6%9D%AD,sofa-sys-=x',
    );
    expect([...p.biz!]).toEqual([
      ['ok', '1'],
      ['utf', '杭'],
    ]);
    expect(p.invalid).toBe(6);
  });

  it('skips members whose properties are malformed', () => {
    const p = parseW3cBaggage('a=1;p1;p2=v2,b=2;bad prop,c=3;p=x y,d=4; p = v ');
    expect([...p.biz!]).toEqual([
      ['a', '1'],
      ['d', '4'],
    ]);
    expect(p.invalid).toBe(2);
  });

  it('first occurrence of a key wins', () => {
    expect(parseW3cBaggage('a=1,a=2').biz!.get('a')).toBe('1');
  });

  it('reads at most 64 members and 8192 bytes, counting what it drops', () => {
    const many = Array.from({ length: 70 }, (_, i) => `k${i}=v`).join(',');
    const p = parseW3cBaggage(many);
    expect(p.biz!.size).toBe(64);
    expect(p.dropped).toBe(6);
    const big = Array.from({ length: 9 }, (_, i) => `k${i}=${'x'.repeat(1000)}`).join(',');
    const q = parseW3cBaggage(big);
    expect(q.biz!.size).toBe(8);
    expect(q.dropped).toBe(1);
  });
});

describe('W3C baggage format', () => {
  it('percent-encodes values, sys first with the sofa-sys- prefix', () => {
    expect(
      formatW3cBaggage(
        new Map([['zone', 'GZ00A']]),
        new Map([
          ['userId', 'alice'],
          ['serverNode', 'DF 28'],
          ['city', '杭州'],
        ]),
      ).value,
    ).toBe('sofa-sys-zone=GZ00A,userId=alice,serverNode=DF%2028,city=%E6%9D%AD%E5%B7%9E');
  });

  it('skips keys that are not tokens, control chars, biz keys posing as sys, and what exceeds 64 members', () => {
    const biz = new Map<string, string>([
      ['bad key', '1'],
      ['ok', 'a\nb'],
      ['sofa-sys-x', '1'],
    ]);
    for (let i = 0; i < 70; i++) biz.set(`k${i}`, 'v');
    const f = formatW3cBaggage(new Map(), biz);
    expect(f.value!.split(',')).toHaveLength(64);
    expect(f.skipped).toHaveLength(3 + 6);
  });

  it('stays within 8192 bytes', () => {
    const biz = new Map(
      Array.from({ length: 10 }, (_, i) => [`k${i}`, 'x'.repeat(1000)] as [string, string]),
    );
    const f = formatW3cBaggage(new Map(), biz);
    expect(f.value!.length).toBeLessThanOrEqual(8192);
    expect(f.value!.split(',')).toHaveLength(8);
  });

  it('is written by the w3c codec and limited on extraction by the baggage max length', () => {
    const { headers, set } = capture();
    w3cCodec.inject(
      ctx(
        '4bf92f3577b34da6a3ce929d0e0e4736',
        '0.1',
        true,
        [],
        [
          ['a', '1'],
          ['b', '2'],
        ],
      ),
      set,
      opts(true),
    );
    expect(headers.baggage).toBe('a=1,b=2');
    const o = opts(true, { bizBaggageMaxLength: 4 });
    const c = w3cCodec.extract(getterFor(headers), o)!;
    expect([...c.bizBaggage]).toEqual([['a', '1']]);
    expect(o.warnings).toEqual(['incoming biz baggage exceeds 4 chars (encoded); dropped 1 entry: "b"']);
  });
});
