/**
 * 64-bit FNV-1a over UTF-16 code units, exactly as SOFATracer's Java Zipkin adapter computes it
 * (`hash ^= charAt(i); hash *= 0x100000001b3`), without BigInt.
 *
 * The state is kept in four 16-bit limbs (little end first) so every intermediate product fits in a
 * double exactly: a limb times the prime's low part 0x1b3 is below 2^25, and the prime's high part
 * (2^40) is a shift that only moves the two low limbs.
 */

const HEX_BYTE: string[] = [];
for (let i = 0; i < 256; i++) HEX_BYTE.push((i < 16 ? '0' : '') + i.toString(16));

function limbHex(limb: number): string {
  return HEX_BYTE[limb >>> 8] + HEX_BYTE[limb & 0xff];
}

/**
 * FNV-1a 64 of `s` (each UTF-16 code unit xor-ed in whole, then multiplied by 0x100000001b3),
 * as 16 lowercase hex chars. `""` → `cbf29ce484222325`, `"a"` → `af63dc4c8601ec8c`.
 */
export function fnv1a64Hex(s: string): string {
  // offset basis 0xcbf29ce484222325
  let l0 = 0x2325;
  let l1 = 0x8422;
  let l2 = 0x9ce4;
  let l3 = 0xcbf2;
  for (let i = 0; i < s.length; i++) {
    l0 ^= s.charCodeAt(i);
    // h * (2^40 + 0x1b3) mod 2^64: h*0x1b3 limb by limb, plus (h << 40), whose only surviving
    // parts are l0 landing in limbs 2..3 and the low byte of l1 landing in limb 3.
    const t0 = l0 * 0x1b3;
    const t1 = l1 * 0x1b3 + (t0 >>> 16);
    const t2 = l2 * 0x1b3 + (t1 >>> 16) + (l0 << 8);
    const t3 = l3 * 0x1b3 + (t2 >>> 16) + ((l1 & 0xff) << 8);
    l0 = t0 & 0xffff;
    l1 = t1 & 0xffff;
    l2 = t2 & 0xffff;
    l3 = t3 & 0xffff;
  }
  return limbHex(l3) + limbHex(l2) + limbHex(l1) + limbHex(l0);
}
