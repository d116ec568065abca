import { trimOws } from './text';

/**
 * Parsing and formatting of W3C Trace Context (Recommendation, level 1) `traceparent` and
 * `tracestate`, strictly by the spec's grammar and the official test suite's strict level.
 */

/** A parsed `traceparent`. */
export interface Traceparent {
  /** 32 lowercase hex, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex, not all zero. */
  readonly parentId: string;
  /** `trace-flags & 0x01`. */
  readonly sampled: boolean;
}

function isHexLc(s: string, from: number, len: number): boolean {
  for (let i = from; i < from + len; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

function allZero(s: string, from: number, len: number): boolean {
  for (let i = from; i < from + len; i++) if (s.charCodeAt(i) !== 48) return false;
  return true;
}

function hexByte(s: string, i: number): number {
  return parseInt(s.slice(i, i + 2), 16);
}

/**
 * Parses a `traceparent` value; `null` when invalid. Surrounding spaces/tabs are ignored.
 * - version: 2 lowercase hex, `ff` invalid;
 * - version `00`: exactly `00-<32 hex>-<16 hex>-<2 hex>` (55 chars), lowercase only;
 * - a higher version: parsed from its first 55 chars as version 00, and if longer the 56th char
 *   must be `-` (fields after it are ignored); only the sampled bit of the flags is used;
 * - an all-zero trace-id or parent-id is invalid.
 */
export function parseTraceparent(raw: string | undefined): Traceparent | null {
  if (raw === undefined) return null;
  const s = trimOws(raw);
  if (s.length < 55) return null;
  if (!isHexLc(s, 0, 2) || s.charCodeAt(2) !== 45) return null;
  const version = hexByte(s, 0);
  if (version === 0xff) return null;
  if (version === 0) {
    if (s.length !== 55) return null;
  } else if (s.length > 55 && s.charCodeAt(55) !== 45) {
    return null;
  }
  if (s.charCodeAt(35) !== 45 || s.charCodeAt(52) !== 45) return null;
  if (!isHexLc(s, 3, 32) || allZero(s, 3, 32)) return null;
  if (!isHexLc(s, 36, 16) || allZero(s, 36, 16)) return null;
  if (!isHexLc(s, 53, 2)) return null;
  return { traceId: s.slice(3, 35), parentId: s.slice(36, 52), sampled: (hexByte(s, 53) & 1) === 1 };
}

/** `00-<traceId>-<parentId>-0{1|0}`. */
export function formatTraceparent(traceId: string, parentId: string, sampled: boolean): string {
  return '00-' + traceId + '-' + parentId + (sampled ? '-01' : '-00');
}

/** Max list-members of a `tracestate`. */
export const TRACESTATE_MAX_MEMBERS = 32;

function isLcAlpha(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isKeyChar(c: number): boolean {
  // lcalpha / DIGIT / "_" / "-" / "*" / "/"
  return isLcAlpha(c) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 42 || c === 47;
}

/**
 * `key = simple-key / multi-tenant-key`:
 * `simple-key = lcalpha 0*255(keychar)`; `multi-tenant-key = tenant-id "@" system-id` with
 * `tenant-id = (lcalpha / DIGIT) 0*240(keychar)` and `system-id = lcalpha 0*13(keychar)`.
 */
export function isValidTracestateKey(key: string): boolean {
  const n = key.length;
  if (n === 0) return false;
  const at = key.indexOf('@');
  if (at < 0) {
    if (n > 256 || !isLcAlpha(key.charCodeAt(0))) return false;
    for (let i = 1; i < n; i++) if (!isKeyChar(key.charCodeAt(i))) return false;
    return true;
  }
  const tenantLen = at;
  const systemLen = n - at - 1;
  if (tenantLen < 1 || tenantLen > 241 || systemLen < 1 || systemLen > 14) return false;
  const c0 = key.charCodeAt(0);
  if (!(isLcAlpha(c0) || (c0 >= 48 && c0 <= 57))) return false;
  for (let i = 1; i < at; i++) if (!isKeyChar(key.charCodeAt(i))) return false;
  if (!isLcAlpha(key.charCodeAt(at + 1))) return false;
  for (let i = at + 2; i < n; i++) if (!isKeyChar(key.charCodeAt(i))) return false; // a 2nd '@' fails here
  return true;
}

/** `value = 0*255(chr) nblk-chr`: 1–256 printable ASCII chars except `,` and `=`, not ending in a space. */
export function isValidTracestateValue(value: string): boolean {
  const n = value.length;
  if (n === 0 || n > 256) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x2c || c === 0x3d) return false;
  }
  return value.charCodeAt(n - 1) !== 0x20;
}

/** One `key=value` list-member. */
export interface TracestateMember {
  readonly key: string;
  readonly value: string;
}

/**
 * Parses a (combined) `tracestate`. Empty and whitespace-only members are skipped (the spec allows
 * them); any invalid member, a duplicate key or more than 32 members make the whole header invalid
 * (`null`): the spec's strict test suite expects the tracestate to be discarded then. An empty
 * header yields `[]`.
 */
export function parseTracestate(raw: string | undefined): TracestateMember[] | null {
  if (raw === undefined) return [];
  const members: TracestateMember[] = [];
  let start = 0;
  const n = raw.length;
  while (start <= n) {
    let end = raw.indexOf(',', start);
    if (end < 0) end = n;
    const m = trimOws(raw.slice(start, end));
    start = end + 1;
    if (m === '') continue;
    const eq = m.indexOf('=');
    if (eq <= 0) return null;
    const key = m.slice(0, eq);
    const value = m.slice(eq + 1);
    if (!isValidTracestateKey(key) || !isValidTracestateValue(value)) return null;
    for (const prev of members) if (prev.key === key) return null;
    if (members.length === TRACESTATE_MAX_MEMBERS) return null;
    members.push({ key, value });
  }
  return members;
}

/** Joins members as `k=v,k2=v2`; `undefined` for none. */
export function formatTracestate(members: readonly TracestateMember[]): string | undefined {
  if (members.length === 0) return undefined;
  let out = '';
  for (const m of members) out += (out === '' ? '' : ',') + m.key + '=' + m.value;
  return out;
}

/**
 * Cuts a member list to 32 the way the spec asks: members longer than 128 chars go first, then
 * members from the end. The first member (ours, freshly added) is never removed.
 */
export function truncateTracestate(members: TracestateMember[]): TracestateMember[] {
  if (members.length <= TRACESTATE_MAX_MEMBERS) return members;
  let excess = members.length - TRACESTATE_MAX_MEMBERS;
  const out = members.slice();
  for (let i = out.length - 1; i >= 1 && excess > 0; i--) {
    if (out[i].key.length + 1 + out[i].value.length > 128) {
      out.splice(i, 1);
      excess--;
    }
  }
  if (excess > 0) out.length -= excess;
  return out;
}
