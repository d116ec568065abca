import { getterFor, serializeSftc, sftcCodec } from '../../src/propagation';
import { capture, ctx, opts } from './helpers';

const T = '0a0fe9271567477985327100211176';

describe('sftc_head', () => {
  it('serializes like Java serializeSpanContext: ids, sample, _sys_ entries, then biz, escaped', () => {
    const c = ctx(
      T,
      '0.1',
      true,
      [['zone', 'GZ00A']],
      [
        ['mark', 'T'],
        ['q', 'a=b&c%'],
      ],
    );
    expect(serializeSftc(c)).toBe(
      `tcid=${T}&spid=0.1&pspid=0&sample=true&_sys_zone=GZ00A&mark=T&q=a%3Db%26c%25&`,
    );
  });

  it('text map inject writes the raw value; HTTP inject URL-encodes it as a whole', () => {
    const c = ctx(T, '0.1', false, [], [['mark', 'T']]);
    const raw = capture();
    sftcCodec.inject(c, raw.set, opts(false));
    expect(raw.headers).toEqual({ sftc_head: `tcid=${T}&spid=0.1&pspid=0&sample=false&mark=T&` });
    const http = capture();
    sftcCodec.inject(c, http.set, opts(true));
    expect(http.headers).toEqual({
      sftc_head: `tcid%3D${T}%26spid%3D0.1%26pspid%3D0%26sample%3Dfalse%26mark%3DT%26`,
    });
  });

  it('extracts what a SOFARPC client sends (raw and URL-encoded forms)', () => {
    const raw = `tcid=${T}&spid=0.1.2&pspid=0.1&sample=true&_sys_zone=GZ00A&mark=T&city=%E6%9D%AD&`;
    for (const value of [raw, encodeURIComponent(raw)]) {
      const c = sftcCodec.extract(getterFor({ sftc_head: value }), opts(true))!;
      expect([c.traceId, c.spanId, c.parentId, c.sampled, c.remote]).toEqual([T, '0.1.2', '0.1', true, true]);
      expect([...c.sysBaggage]).toEqual([['zone', 'GZ00A']]);
      // the raw form's %E6%9D%AD is not an sftc escape, so it stays as sent
      expect(c.bizBaggage.get('mark')).toBe('T');
    }
  });

  it('round-trips over HTTP and text maps', () => {
    const sent = ctx(
      T,
      '0.3',
      true,
      [['s', '1=2']],
      [
        ['note', '100% & more'],
        ['城市', '杭州'],
      ],
    );
    for (const urlEncode of [true, false]) {
      const { headers, set } = capture();
      sftcCodec.inject(sent, set, opts(urlEncode));
      const got = sftcCodec.extract(getterFor(headers), opts(urlEncode))!;
      expect([got.traceId, got.spanId, got.parentId, got.sampled]).toEqual([T, '0.3', '0', true]);
      expect(got.sysBaggage).toEqual(sent.sysBaggage);
      expect(got.bizBaggage).toEqual(sent.bizBaggage);
    }
  });

  it('Java defaults: sample absent → false, spid absent → 0, pspid computed, empty values skipped', () => {
    const c = sftcCodec.extract(getterFor({ sftc_head: `tcid=${T}&spid=0.2.1&x=&` }), opts(false))!;
    expect([c.spanId, c.parentId, c.sampled, c.bizBaggage.size]).toEqual(['0.2.1', '0.2', false, 0]);
    const d = sftcCodec.extract(getterFor({ sftc_head: `tcid=${T}` }), opts(false))!;
    expect([d.spanId, d.parentId]).toEqual(['0', '']);
  });

  it('no/invalid tcid → null (Java invented a trace id here)', () => {
    expect(sftcCodec.extract(getterFor({ sftc_head: 'spid=0.1&' }), opts(false))).toBeNull();
    expect(sftcCodec.extract(getterFor({ sftc_head: 'tcid=a b&' }), opts(false))).toBeNull();
    expect(sftcCodec.extract(getterFor({}), opts(false))).toBeNull();
  });

  it('drops control characters, including ones hidden in the HTTP URL-encoding', () => {
    const c = sftcCodec.extract(getterFor({ sftc_head: `tcid=${T}&a=ok&b=x\r\ny&c%0A=1&` }), opts(false))!;
    // %0A is not an sftc escape: it stays literal text, no newline is produced
    expect([...c.bizBaggage]).toEqual([
      ['a', 'ok'],
      ['c%0A', '1'],
    ]);
    const d = sftcCodec.extract(
      getterFor({ sftc_head: encodeURIComponent(`tcid=${T}&b=x\r\n&`) }),
      opts(true),
    )!;
    expect(d.bizBaggage.size).toBe(0);
  });
});
