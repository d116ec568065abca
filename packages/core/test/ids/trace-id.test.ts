import { FALLBACK_IP_HEX, generateTraceId, ipToHex, localIpHex, pickIpv4Hex } from '../../src/ids';

describe('generateTraceId', () => {
  it('is ip hex + epoch ms + 4-digit counter + pid, all in [0-9a-f]', () => {
    const before = Date.now();
    const id = generateTraceId();
    const after = Date.now();
    const pid = String(process.pid);
    expect(id).toMatch(/^[0-9a-f]+$/);
    expect(id.length).toBe(8 + 13 + 4 + pid.length);
    expect(id.slice(0, 8)).toBe(localIpHex());
    const ms = Number(id.slice(8, 21));
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
    expect(id.endsWith(pid)).toBe(true);
  });

  it('counts 1001…9001 then wraps to 1000, process-wide, like Java', () => {
    // This file is its own module registry in jest, so the counter starts fresh here only if no
    // other test generated ids before; read the current value and follow it.
    const counterOf = (id: string): number => Number(id.slice(21, 25));
    let prev = counterOf(generateTraceId());
    const seen: number[] = [];
    for (let i = 0; i < 9000; i++) {
      const c = counterOf(generateTraceId());
      expect(c).toBe(prev > 9000 ? 1000 : prev + 1);
      if (c === 1000 || c === 1001 || c === 9001) seen.push(c);
      prev = c;
    }
    expect(seen).toEqual(expect.arrayContaining([9001, 1000, 1001]));
    const wrap = seen.indexOf(9001);
    expect(seen.slice(wrap, wrap + 3)).toEqual([9001, 1000, 1001]);
  });

  it('first id of a fresh module has counter 1001', () => {
    jest.isolateModules(() => {
      const fresh = require('../../src/ids/trace-id') as typeof import('../../src/ids/trace-id');
      expect(fresh.generateTraceId().slice(21, 25)).toBe('1001');
      expect(fresh.generateTraceId().slice(21, 25)).toBe('1002');
    });
  });
});

describe('ip prefix', () => {
  it('turns dotted quads into 8 lowercase hex chars', () => {
    expect(ipToHex('10.15.233.39')).toBe('0a0fe927');
    expect(ipToHex('192.168.1.255')).toBe('c0a801ff');
    expect(ipToHex('0.0.0.0')).toBe('00000000');
    expect(ipToHex('256.1.1.1')).toBeUndefined();
    expect(ipToHex('1.2.3')).toBeUndefined();
    expect(ipToHex('fe80::1')).toBeUndefined();
    expect(ipToHex('1.2.3.x')).toBeUndefined();
  });

  it('picks the first non-loopback IPv4 address in interface order', () => {
    expect(
      pickIpv4Hex({
        lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
        eth0: [
          { address: 'fe80::1', family: 'IPv6', internal: false },
          { address: '10.15.233.39', family: 'IPv4', internal: false },
        ],
        eth1: [{ address: '192.168.1.2', family: 'IPv4', internal: false }],
      }),
    ).toBe('0a0fe927');
  });

  it('accepts the numeric family of Node 18.0–18.3 and skips 127/8 even if not flagged internal', () => {
    expect(
      pickIpv4Hex({
        weird: [{ address: '127.0.1.1', family: 4, internal: false }],
        eth0: [{ address: '172.16.0.10', family: 4, internal: false }],
      }),
    ).toBe('ac10000a');
  });

  it('falls back to ffffffff without a usable address', () => {
    expect(pickIpv4Hex({})).toBe(FALLBACK_IP_HEX);
    expect(
      pickIpv4Hex({ lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }], x: undefined }),
    ).toBe('ffffffff');
  });
});
