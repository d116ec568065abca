import { getterFor, sofaB3Codec } from '../../src/propagation';
import { capture, ctx, opts } from './helpers';

const JAVA_TRACE = '0a0fe9271567477985327100211176';

describe('sofa-b3 extract: what a Java SOFATracer HTTP client sends', () => {
  it('reads ids, sampling and both baggage kinds (Node lowercases header names)', () => {
    const o = opts(true);
    const c = sofaB3Codec.extract(
      getterFor({
        'x-b3-traceid': JAVA_TRACE,
        'x-b3-spanid': '0.1',
        'x-b3-parentspanid': '0',
        'x-b3-sampled': 'true',
        'baggage-sys-k': 'v',
        'baggage-mark': 'T',
        'baggage-city': '%E6%9D%AD%E5%B7%9E',
        'baggage-expr': 'a%253Db%2526c', // Java: escape (= → %3D, & → %26) then URLEncoder
        host: 'example',
      }),
      o,
    )!;
    expect(c.traceId).toBe(JAVA_TRACE);
    expect(c.spanId).toBe('0.1');
    expect(c.parentId).toBe('0');
    expect(c.sampled).toBe(true);
    expect(c.remote).toBe(true);
    expect([...c.sysBaggage]).toEqual([['k', 'v']]);
    expect([...c.bizBaggage]).toEqual([
      ['mark', 'T'],
      ['city', '杭州'],
      ['expr', 'a=b&c'],
    ]);
    expect(c.isLoadTest).toBe(true);
    expect(c.nextChildId()).toBe('0.1.1');
    expect(o.warnings).toEqual([]);
  });

  it('puts baggage-sys-x into sys baggage only (fixes the Java bug that also added biz "sys-x")', () => {
    const c = sofaB3Codec.extract(
      getterFor({ 'x-b3-traceid': JAVA_TRACE, 'baggage-sys-x': '1' }),
      opts(true),
    )!;
    expect(c.sysBaggage.get('x')).toBe('1');
    expect(c.bizBaggage.has('sys-x')).toBe(false);
    expect(c.bizBaggage.size).toBe(0);
  });

  it('matches header names case-insensitively in plain objects', () => {
    const c = sofaB3Codec.extract(
      getterFor({
        'X-B3-TraceId': JAVA_TRACE,
        'X-B3-SpanId': '0.2',
        'X-B3-Sampled': 'TRUE',
        'Baggage-Mark': 'T',
      }),
      opts(true),
    )!;
    expect(c.spanId).toBe('0.2');
    expect(c.sampled).toBe(true);
    expect(c.bizBaggage.get('mark')).toBe('T');
  });

  it.each([
    ['1', true],
    ['0', false],
    ['true', true],
    ['True', true],
    ['false', false],
    ['yes', false],
    ['', false],
  ])('X-B3-Sampled %j → %s', (v, expected) => {
    expect(
      sofaB3Codec.extract(getterFor({ 'x-b3-traceid': JAVA_TRACE, 'x-b3-sampled': v }), opts(true))!.sampled,
    ).toBe(expected);
  });

  it('defaults: sampled true, span id 0, parent computed', () => {
    const c = sofaB3Codec.extract(getterFor({ 'x-b3-traceid': JAVA_TRACE }), opts(true))!;
    expect([c.spanId, c.parentId, c.sampled]).toEqual(['0', '', true]);
    const d = sofaB3Codec.extract(
      getterFor({ 'x-b3-traceid': JAVA_TRACE, 'x-b3-spanid': '0.1.2', 'x-b3-parentspanid': '' }),
      opts(true),
    )!;
    expect(d.parentId).toBe('0.1');
  });

  it('no or invalid trace id → null', () => {
    expect(sofaB3Codec.extract(getterFor({ 'x-b3-spanid': '0.1' }), opts(true))).toBeNull();
    expect(sofaB3Codec.extract(getterFor({ 'x-b3-traceid': 'abc def' }), opts(true))).toBeNull();
    expect(sofaB3Codec.extract(getterFor({ 'x-b3-traceid': '' }), opts(true))).toBeNull();
  });

  it('invalid span id → 0 with a warning', () => {
    const o = opts(true);
    const c = sofaB3Codec.extract(
      getterFor({ 'x-b3-traceid': JAVA_TRACE, 'x-b3-spanid': '0.1\r\nX: y' }),
      o,
    )!;
    expect(c.spanId).toBe('0');
    expect(o.warnings[0]).toContain('invalid X-B3-SpanId');
    expect(o.warnings[0]).not.toMatch(/[\r\n]/);
  });

  it('first element wins when Node joined duplicate headers with ", "', () => {
    const c = sofaB3Codec.extract(
      getterFor({
        'x-b3-traceid': `${JAVA_TRACE}, ffffffff1567477985327100299999`,
        'x-b3-spanid': '0.1, 0.9',
        'x-b3-sampled': 'false, true',
        'baggage-mark': 'T, F',
      }),
      opts(true),
    )!;
    expect([c.traceId, c.spanId, c.sampled, c.bizBaggage.get('mark')]).toEqual([
      JAVA_TRACE,
      '0.1',
      false,
      'T',
    ]);
  });

  it('text maps (Kafka): values raw, key case kept, commas kept', () => {
    const c = sofaB3Codec.extract(
      getterFor({
        'X-B3-TraceId': Buffer.from(JAVA_TRACE),
        'X-B3-SpanId': Buffer.from('0.1'),
        'baggage-City': Buffer.from('杭州, 西湖'),
        'baggage-sys-Zone': 'GZ00A',
      }),
      opts(false),
    )!;
    expect(c.bizBaggage.get('City')).toBe('杭州, 西湖');
    expect(c.sysBaggage.get('Zone')).toBe('GZ00A');
  });

  it('drops baggage with control characters and enforces the length limits separately', () => {
    const o = opts(true, { bizBaggageMaxLength: 10, sysBaggageMaxLength: 4 });
    const c = sofaB3Codec.extract(
      getterFor({
        'x-b3-traceid': JAVA_TRACE,
        'baggage-evil': 'a%0D%0Ab',
        'baggage-a': '1', // a=1& → 4
        'baggage-bb': '22', // bb=22& → 6 (total 10)
        'baggage-c': '3', // dropped
        'baggage-sys-s': '1', // s=1& → 4
        'baggage-sys-t': '2', // dropped
      }),
      o,
    )!;
    expect([...c.bizBaggage]).toEqual([
      ['a', '1'],
      ['bb', '22'],
    ]);
    expect([...c.sysBaggage]).toEqual([['s', '1']]);
    expect(o.warnings).toEqual([
      'incoming sys baggage exceeds 4 chars (encoded); dropped 1 entry: "t"',
      'incoming biz baggage exceeds 10 chars (encoded); dropped 1 entry: "c"',
    ]);
  });
});

describe('sofa-b3 inject: exactly what we send back', () => {
  it('over HTTP: Java header names, parent sent even when empty, escaped + URL-encoded baggage', () => {
    const { headers, set } = capture();
    const c = ctx(
      JAVA_TRACE,
      '0.1.1',
      true,
      [['k', 'v']],
      [
        ['mark', 'T'],
        ['city', '杭州'],
        ['expr', 'a=b&c d'],
      ],
    );
    sofaB3Codec.inject(c, set, opts(true));
    expect(headers).toEqual({
      'X-B3-TraceId': JAVA_TRACE,
      'X-B3-SpanId': '0.1.1',
      'X-B3-ParentSpanId': '0.1',
      'X-B3-Sampled': 'true',
      'baggage-sys-k': 'v',
      'baggage-mark': 'T',
      'baggage-city': '%E6%9D%AD%E5%B7%9E',
      'baggage-expr': 'a%253Db%2526c+d',
    });
  });

  it('root span: empty X-B3-ParentSpanId and sampled false', () => {
    const { headers, set } = capture();
    sofaB3Codec.inject(ctx(JAVA_TRACE, '0', false), set, opts(true));
    expect(headers).toEqual({
      'X-B3-TraceId': JAVA_TRACE,
      'X-B3-SpanId': '0',
      'X-B3-ParentSpanId': '',
      'X-B3-Sampled': 'false',
    });
  });

  it('text maps: raw (escaped only) values', () => {
    const { headers, set } = capture();
    sofaB3Codec.inject(ctx(JAVA_TRACE, '0.1', true, [], [['city', '杭州 a=b']]), set, opts(false));
    expect(headers['baggage-city']).toBe('杭州 a%3Db');
  });

  it('skips baggage that cannot be a header or would turn into sys baggage, with a warning', () => {
    const { headers, set } = capture();
    const o = opts(true);
    sofaB3Codec.inject(
      ctx(
        JAVA_TRACE,
        '0.1',
        true,
        [['bad\r\n', 'x']],
        [
          ['has space', 'x'],
          ['sys-x', '1'],
          ['ok', 'v\n'],
        ],
      ),
      set,
      o,
    );
    expect(Object.keys(headers)).toEqual([
      'X-B3-TraceId',
      'X-B3-SpanId',
      'X-B3-ParentSpanId',
      'X-B3-Sampled',
    ]);
    expect(o.warnings).toHaveLength(1);
  });

  it('round-trips through extract', () => {
    const { headers, set } = capture();
    const sent = ctx(
      JAVA_TRACE,
      '0.1',
      false,
      [['zone', 'GZ00A']],
      [
        ['mark', 'T'],
        ['note', '100% = ok & more'],
      ],
    );
    sofaB3Codec.inject(sent, set, opts(true));
    const lower: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
    const got = sofaB3Codec.extract(getterFor(lower), opts(true))!;
    expect([got.traceId, got.spanId, got.parentId, got.sampled]).toEqual([JAVA_TRACE, '0.1', '0', false]);
    expect(got.sysBaggage).toEqual(sent.sysBaggage);
    expect(got.bizBaggage).toEqual(sent.bizBaggage);
  });
});
