import { fnv1a64Hex } from '../../src/ids';
import { b3Codec, getterFor } from '../../src/propagation';
import { capture, ctx, opts } from './helpers';

const T32 = '80f198ee56343ba864fe8b2a57d3eff7';
const T16 = '463ac35c9f6413ad';
const S = 'e457b5a2e4d86bd1';
const P = '05e3ac9a4f6e3b90';

function extract(headers: Record<string, string>) {
  return b3Codec.extract(getterFor(headers), opts(true));
}

describe('b3 extract: multi headers', () => {
  it('reads the B3 spec example', () => {
    const c = extract({
      'X-B3-TraceId': T32,
      'X-B3-ParentSpanId': P,
      'X-B3-SpanId': S,
      'X-B3-Sampled': '1',
    })!;
    expect([c.traceId, c.spanId, c.parentId, c.sampled, c.remote]).toEqual([T32, S, P, true, true]);
    expect(c.nextChildId()).toBe(`${S}.1`);
  });

  it.each([
    [{ 'x-b3-sampled': '0' }, false],
    [{ 'x-b3-sampled': '1' }, true],
    [{ 'x-b3-sampled': 'false' }, false],
    [{ 'x-b3-sampled': 'true' }, true],
    [{ 'x-b3-flags': '1', 'x-b3-sampled': '0' }, true],
    [{}, true],
  ])('sampling %j → %s', (extra, sampled) => {
    expect(extract({ 'x-b3-traceid': T16, 'x-b3-spanid': S, ...extra })!.sampled).toBe(sampled);
  });

  it.each([
    ['no span id', { 'x-b3-traceid': T16 }],
    [
      'SOFA ids (those are sofa-b3)',
      { 'x-b3-traceid': '0a0fe9271567477985327100211176', 'x-b3-spanid': '0.1' },
    ],
    ['uppercase', { 'x-b3-traceid': T16.toUpperCase(), 'x-b3-spanid': S }],
    ['zero trace id', { 'x-b3-traceid': '0000000000000000', 'x-b3-spanid': S }],
    ['zero span id', { 'x-b3-traceid': T16, 'x-b3-spanid': '0000000000000000' }],
    ['24-hex trace id', { 'x-b3-traceid': 'a'.repeat(24), 'x-b3-spanid': S }],
  ])('rejects %s', (_name, headers) => {
    expect(extract(headers)).toBeNull();
  });

  it('ignores an invalid parent id', () => {
    expect(extract({ 'x-b3-traceid': T16, 'x-b3-spanid': S, 'x-b3-parentspanid': 'nope' })!.parentId).toBe(
      '',
    );
  });
});

describe('b3 extract: single header', () => {
  it.each([
    [`${T32}-${S}-1-${P}`, T32, S, P, true],
    [`${T32}-${S}-d-${P}`, T32, S, P, true],
    [`${T16}-${S}-0`, T16, S, '', false],
    [`${T16}-${S}`, T16, S, '', true],
  ])('reads %s', (value, traceId, spanId, parentId, sampled) => {
    const c = extract({ b3: value })!;
    expect([c.traceId, c.spanId, c.parentId, c.sampled]).toEqual([traceId, spanId, parentId, sampled]);
  });

  it.each([
    '0',
    '1',
    'd',
    `${T16}-${S}-x`,
    `${T16}-${S}-1-bad`,
    `${T16}`,
    `${T16}-${S}-1-${P}-extra`,
    `${T16.toUpperCase()}-${S}`,
  ])('yields no context for %s', (value) => {
    expect(extract({ b3: value })).toBeNull();
  });

  it('prefers the single header, falls back to multi when it is invalid', () => {
    expect(extract({ b3: `${T32}-${S}-1`, 'x-b3-traceid': T16, 'x-b3-spanid': P })!.traceId).toBe(T32);
    expect(extract({ b3: 'garbage', 'x-b3-traceid': T16, 'x-b3-spanid': P })!.spanId).toBe(P);
  });
});

describe('b3 inject', () => {
  it('writes only the single b3 header with hex ids', () => {
    const { headers, set } = capture();
    b3Codec.inject(ctx('0a0fe9271567477985327100211176', '0.1.1', true), set, opts(true));
    expect(headers).toEqual({
      b3: `000a0fe9271567477985327100211176-${fnv1a64Hex('0.1.1')}-1-${fnv1a64Hex('0.1')}`,
    });
  });

  it('keeps a 16/32-hex trace id and links a foreign parent exactly', () => {
    const { headers, set } = capture();
    b3Codec.inject(ctx(T16, `${S}.1`, false), set, opts(true));
    expect(headers).toEqual({ b3: `${T16}-${fnv1a64Hex(`${S}.1`)}-0-${S}` });
  });

  it('a root span has no parent part', () => {
    const { headers, set } = capture();
    b3Codec.inject(ctx(T32, '0', true), set, opts(true));
    expect(headers).toEqual({ b3: `${T32}-${fnv1a64Hex('0')}-1` });
  });
});
