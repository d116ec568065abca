import { createSampler, PercentageSampler } from '../../src';

const input = { traceId: 't', operationName: 'op', kind: 'server' as const, logType: 'biz', tags: {} };

describe('samplers', () => {
  it.each([0, 1, 10, 33, 50, 99, 100])(
    'percentage %i samples exactly that many of every 100 consecutive traces',
    (p) => {
      const s = new PercentageSampler(p);
      for (let round = 0; round < 5; round++) {
        let n = 0;
        for (let i = 0; i < 100; i++) if (s.sample().sampled) n++;
        expect(n).toBe(p);
      }
    },
  );

  it('spreads the chosen slots at random (different tables for different random sources)', () => {
    const seq = (seed: number) => {
      let x = seed;
      return () => ((x = (x * 1103515245 + 12345) % 2 ** 31), x / 2 ** 31);
    };
    const a = new PercentageSampler(50, seq(1));
    const b = new PercentageSampler(50, seq(7));
    const pattern = (s: PercentageSampler) =>
      Array.from({ length: 100 }, () => (s.sample().sampled ? 1 : 0)).join('');
    expect(pattern(a)).not.toBe(pattern(b));
  });

  it('a custom function wins; its tags are returned; a throwing one falls back and is reported', () => {
    const errors: unknown[] = [];
    expect(
      createSampler(
        100,
        () => false,
        (e) => errors.push(e),
      ).sample(input).sampled,
    ).toBe(false);
    expect(
      createSampler(
        0,
        () => ({ sampled: true, tags: { rule: 'vip' } }),
        (e) => errors.push(e),
      ).sample(input),
    ).toEqual({
      sampled: true,
      tags: { rule: 'vip' },
    });
    expect(
      createSampler(
        100,
        () => {
          throw new Error('boom');
        },
        (e) => errors.push(e),
      ).sample(input).sampled,
    ).toBe(true);
    expect(
      createSampler(0, { sample: () => ({ sampled: true }) }, (e) => errors.push(e)).sample(input).sampled,
    ).toBe(true);
    expect(errors).toHaveLength(1);
  });
});
