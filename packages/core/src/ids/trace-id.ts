import { networkInterfaces } from 'node:os';

/**
 * SOFA trace ids, exactly as Java's `TraceIdGenerator`: 8 hex chars of the first non-loopback IPv4
 * address + epoch milliseconds (decimal) + a 4-digit process-wide counter + the pid (decimal).
 * Example: `0a0fe927` + `1567477985327` + `1002` + `11176`.
 */

/** What `os.networkInterfaces()` returns, reduced to the fields read here. */
export type InterfaceMap = Record<
  string,
  | ReadonlyArray<{ readonly address: string; readonly family: string | number; readonly internal: boolean }>
  | undefined
>;

/** Hex prefix used when no non-loopback IPv4 address exists (Java's fallback). */
export const FALLBACK_IP_HEX = 'ffffffff';

/** `"10.15.233.39"` → `"0a0fe927"`; `undefined` when `ip` is not a dotted-quad IPv4 address. */
export function ipToHex(ip: string): string | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let out = '';
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out += (n < 16 ? '0' : '') + n.toString(16);
  }
  return out;
}

/**
 * Hex of the first IPv4 address that is neither internal nor in 127.0.0.0/8, in interface order;
 * {@link FALLBACK_IP_HEX} when there is none.
 */
export function pickIpv4Hex(interfaces: InterfaceMap): string {
  for (const name of Object.keys(interfaces)) {
    const addrs = interfaces[name];
    if (!addrs) continue;
    for (const a of addrs) {
      // Node 18.0–18.3 reported family as the number 4.
      if ((a.family !== 'IPv4' && a.family !== 4) || a.internal || a.address.startsWith('127.')) continue;
      const hex = ipToHex(a.address);
      if (hex !== undefined) return hex;
    }
  }
  return FALLBACK_IP_HEX;
}

let ipHex: string | undefined;
let pidStr = '';
let counter = 1000;

/** The IP prefix of every trace id of this process (computed once, on first use). */
export function localIpHex(): string {
  if (ipHex === undefined) {
    try {
      ipHex = pickIpv4Hex(networkInterfaces() as InterfaceMap);
    } catch {
      // Some sandboxes forbid listing interfaces; Java falls back the same way.
      ipHex = FALLBACK_IP_HEX;
    }
    pidStr = String(process.pid);
  }
  return ipHex;
}

/**
 * A new SOFA trace id (`nowMs`: the epoch ms to use, when the caller already read the clock).
 * The counter starts at 1000 and each call takes `cur > 9000 ? 1000 : cur + 1`
 * (so 1001, 1002, …, 9001, 1000, 1001, …), shared by the whole process like Java's AtomicInteger.
 */
export function generateTraceId(nowMs?: number): string {
  const ip = ipHex === undefined ? localIpHex() : ipHex;
  counter = counter > 9000 ? 1000 : counter + 1;
  // Several ids share one millisecond under load: the `ip + ms` prefix is built once per ms.
  const ms = nowMs === undefined ? Date.now() : nowMs;
  if (ms !== prefixMs) {
    prefixMs = ms;
    prefix = ip + ms;
  }
  return prefix + counter + pidStr;
}

let prefixMs = -1;
let prefix = '';
