import { CODECS, getterFor, PROPAGATION_FORMATS, Propagator } from '../../src/propagation';
import type { SpanContext } from '../../src/span/span-context';
import { capture, ctx, opts } from './helpers';

const T = '0a0fe9271567477985327100211176';
const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const VALID: Record<string, string> = {
  'x-b3-traceid': T,
  'x-b3-spanid': '0.1',
  'x-b3-parentspanid': '0',
  'x-b3-sampled': 'true',
  'baggage-mark': 'T',
  'baggage-sys-zone': 'GZ00A',
  sftc_head: `tcid=${T}&spid=0.1&pspid=0&sample=true&_sys_zone=GZ00A&mark=T&`,
  traceparent: TP,
  tracestate: 'congo=t61rcWkgMzE',
  baggage: 'userId=alice',
  b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90',
};

const INJECTIONS = [
  '\r\n',
  '\n',
  '\r',
  '\u0000',
  '\u0085',
  '%0d%0a',
  '%0D%0A',
  '\r\nSet-Cookie: evil=1',
  '%250D%250A',
];

/** Every hostile carrier: each header poisoned in turn, oversized, duplicated, odd types, prototype keys. */
function hostileCarriers(): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [];
  for (const name of Object.keys(VALID)) {
    for (const inj of INJECTIONS) {
      out.push([`${name} + ${JSON.stringify(inj)} suffix`, { ...VALID, [name]: VALID[name] + inj }]);
      out.push([
        `${name} + ${JSON.stringify(inj)} middle`,
        { ...VALID, [name]: VALID[name].slice(0, 3) + inj + VALID[name].slice(3) },
      ]);
      out.push([`${name} = ${JSON.stringify(inj)}`, { ...VALID, [name]: inj }]);
    }
    out.push([`${name} 100 KB`, { ...VALID, [name]: VALID[name] + 'a'.repeat(100_000) }]);
    out.push([`${name} 100 KB commas`, { ...VALID, [name]: ','.repeat(100_000) }]);
    out.push([`${name} duplicated`, { ...VALID, [name]: `${VALID[name]}, ${VALID[name]}` }]);
    out.push([`${name} array`, { ...VALID, [name]: [VALID[name], 'x\r\ny'] }]);
    out.push([`${name} empty`, { ...VALID, [name]: '' }]);
    out.push([`${name} number`, { ...VALID, [name]: 42 }]);
    out.push([`${name} object`, { ...VALID, [name]: { toString: () => 'x' } }]);
    out.push([`${name} null`, { ...VALID, [name]: null }]);
  }
  out.push(['CR/LF baggage key', { ...VALID, 'baggage-a\r\nb': 'v', 'baggage-sys-a\nb': 'v' }]);
  out.push([
    '__proto__ keys',
    JSON.parse(
      `{"__proto__": {"x-b3-traceid": "evil"}, "baggage-__proto__": "p", "constructor": "c", "x-b3-traceid": "${T}"}`,
    ),
  ]);
  out.push(['only __proto__', JSON.parse('{"__proto__": "x", "toString": "y"}')]);
  out.push(['baggage prefix only', { 'x-b3-traceid': T, 'baggage-': 'x', 'baggage-sys-': 'y' }]);
  out.push([
    'invalid ids everywhere',
    {
      'x-b3-traceid': 'a b',
      'x-b3-spanid': '..',
      traceparent: 'ff-' + 'f'.repeat(52),
      b3: '-',
      sftc_head: '&&==&',
    },
  ]);
  out.push([
    '1000 baggage headers',
    Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [`baggage-k${i}`, 'v'.repeat(100)]).concat([
        ['x-b3-traceid', T],
      ]),
    ),
  ]);
  out.push([
    'W3C baggage with 10000 members',
    {
      traceparent: TP,
      baggage: Array.from({ length: 10000 }, (_, i) => `k${i}=v`)
        .join(',')
        .slice(0, 16000),
    },
  ]);
  return out;
}

function assertClean(c: SpanContext | null): void {
  if (c === null) return;
  for (const s of [c.traceId, c.spanId, c.parentId, c.traceState ?? '']) {
    expect(s).not.toMatch(CONTROL);
    expect(s).not.toMatch(/[\s,]/);
  }
  for (const m of [c.sysBaggage, c.bizBaggage]) {
    for (const [k, v] of m) {
      expect(k).not.toMatch(CONTROL);
      expect(v).not.toMatch(CONTROL);
    }
  }
  expect(c.remote).toBe(true);
}

describe('hostile carriers', () => {
  const carriers = hostileCarriers();

  it(`no codec throws or yields control characters over ${carriers.length} carriers × 2 modes`, () => {
    let contexts = 0;
    for (const [, carrier] of carriers) {
      for (const urlEncode of [true, false]) {
        for (const format of PROPAGATION_FORMATS) {
          const c = CODECS[format].extract(getterFor(carrier), opts(urlEncode));
          assertClean(c);
          if (c) contexts++;
        }
      }
    }
    expect(contexts).toBeGreaterThan(carriers.length); // most poisoned carriers still carry a valid format
  });

  it('the Propagator never throws and never yields control characters', () => {
    const warnings: string[] = [];
    const p = new Propagator({ warn: (m) => warnings.push(m) });
    for (const [, carrier] of carriers) {
      assertClean(p.extract('http_headers', carrier));
      assertClean(p.extract('text_map', carrier));
    }
    for (const w of warnings) expect(w).not.toMatch(/[\r\n]/);
  });

  it('a poisoned sofa-b3 trace id falls through to the next valid format', () => {
    const c = new Propagator().extract('http_headers', { ...VALID, 'x-b3-traceid': T + '\r\nX: 1' })!;
    expect(c.traceId).toBe(T); // from sftc_head
  });

  it('ids with CR/LF after URL-decoding are rejected', () => {
    expect(CODECS['sofa-b3'].extract(getterFor({ 'x-b3-traceid': 'abc%0D%0A' }), opts(true))).toBeNull();
  });

  it('a throwing warn, throwing getters and throwing setters never escape', () => {
    const p = new Propagator({
      warn: () => {
        throw new Error('warn');
      },
    });
    const throwingGetter = () => {
      throw new Error('get');
    };
    expect(p.extract('http_headers', throwingGetter)).toBeNull();
    expect(
      p.extract('http_headers', {
        get() {
          throw new Error('get');
        },
        keys() {
          throw new Error('keys');
        },
      }),
    ).toBeNull();
    expect(p.extract('http_headers', { 'x-b3-traceid': T, 'x-b3-spanid': 'bad\r\n' })!.spanId).toBe('0');
    expect(() =>
      p.inject(ctx(T, '0.1'), 'http_headers', () => {
        throw new Error('set');
      }),
    ).not.toThrow();
    const frozen = Object.freeze({});
    expect(() => p.inject(ctx(T, '0.1'), 'http_headers', frozen as Record<string, string>)).not.toThrow();
  });

  it('inject never writes control characters or invalid header names, whatever the context holds', () => {
    const evil = ctx(
      T,
      '0.1',
      true,
      [
        ['a\r\nb', 'v'],
        ['ok', 'x\r\ny'],
      ],
      [
        ['k', 'v\u0000'],
        ['c d', 'x'],
        ['good', '杭州\r\n'],
        ['fine', 'ok'],
      ],
    );
    evil.traceState = 'foo=1\r\nSet-Cookie: x';
    for (const format of PROPAGATION_FORMATS) {
      for (const urlEncode of [true, false]) {
        const { headers, set } = capture();
        CODECS[format].inject(evil, set, opts(urlEncode));
        for (const [name, value] of Object.entries(headers)) {
          expect(name).not.toMatch(CONTROL);
          expect(value).not.toMatch(CONTROL);
          if (urlEncode) {
            expect(name).toMatch(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/);
            expect(value).toMatch(/^[\x20-\x7e]*$/);
          }
        }
      }
    }
  });

  it('contexts with invalid ids are not injected', () => {
    const { headers, set } = capture();
    const o = opts(true);
    for (const format of PROPAGATION_FORMATS) CODECS[format].inject(ctx('bad\r\nid', '0.1'), set, o);
    expect(headers).toEqual({});
    expect(o.warnings).toHaveLength(4);
    for (const w of o.warnings) expect(w).not.toMatch(/[\r\n]/);
  });
});
