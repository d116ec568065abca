import { FALLBACK_IP_HEX, localIpHex } from './trace-id';

/**
 * This host's IPv4 address as used in trace ids, dotted (`127.0.0.1` when none was found): the
 * one address every part of the tracer reports (static-info.log, Lookout's `ip` tag).
 */
export function localIpv4(): string {
  const hex = localIpHex();
  if (hex === FALLBACK_IP_HEX) return '127.0.0.1';
  const parts: number[] = [];
  for (let i = 0; i < 8; i += 2) parts.push(parseInt(hex.slice(i, i + 2), 16));
  return parts.join('.');
}
