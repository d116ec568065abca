import { fnv1a64Hex } from '../../src/ids';

/** Straightforward BigInt FNV-1a 64 over UTF-16 code units: the reference the limb version must match. */
function referenceFnv(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

/** Deterministic PRNG so a failure is reproducible. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

describe('fnv1a64Hex', () => {
  it('matches the published FNV-1a 64 test vectors', () => {
    expect(fnv1a64Hex('')).toBe('cbf29ce484222325');
    expect(fnv1a64Hex('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64Hex('foobar')).toBe('85944171f73967e8');
  });

  it('hashes dotted SOFA span ids like the BigInt reference', () => {
    for (const id of ['0', '0.1', '0.1.1', '0.2.3.4.5.6.7.8.9.10', '00f067aa0ba902b7.1']) {
      expect(fnv1a64Hex(id)).toBe(referenceFnv(id));
    }
    expect(fnv1a64Hex('0.1')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('xors whole UTF-16 code units (non-ASCII, surrogates) like Java charAt', () => {
    for (const s of ['杭州', '😀', '\ud800', '\uffff\u0000', 'é'.repeat(50)]) {
      expect(fnv1a64Hex(s)).toBe(referenceFnv(s));
    }
  });

  it('matches the BigInt reference over 2000 random strings', () => {
    const next = rng(42);
    for (let n = 0; n < 2000; n++) {
      const len = Math.floor(next() * 64);
      let s = '';
      for (let i = 0; i < len; i++) {
        const r = next();
        s += String.fromCharCode(r < 0.6 ? 32 + Math.floor(next() * 95) : Math.floor(next() * 0x10000));
      }
      expect(fnv1a64Hex(s)).toBe(referenceFnv(s));
    }
  });
});
