import { trimOws } from './text';

/**
 * Parsing and formatting of W3C Trace Context `traceparent` and `tracestate`, by the grammar of
 * Trace Context Level 2 (which supersedes Level 1's tracestate key grammar and duplicate rule)
 * and the official test suite's strict level otherwise.
 */

/** A parsed `traceparent`. */
export interface Traceparent {
  /** 32 lowercase hex, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex, not all zero. */
  readonly parentId: string;
  /** `trace-flags & 0x01`. */
  readonly sampled: boolean;
  /** `trace-flags & 0x02` (Level 2 random-trace-id flag: the right-most 7 bytes are random). */
  readonly random?: boolean;
}

/** The trace-flags bits this implementation knows: sampled and (Level 2) random-trace-id. */
export const TRACE_FLAG_SAMPLED = 0x01;
export const TRACE_FLAG_RANDOM = 0x02;

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
 *   must be `-` (fields after it are ignored); only the flags this level defines are used
 *   (sampled, random-trace-id), the others are dropped (sent as zero);
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
  const flags = hexByte(s, 53);
  return {
    traceId: s.slice(3, 35),
    parentId: s.slice(36, 52),
    sampled: (flags & TRACE_FLAG_SAMPLED) !== 0,
    random: (flags & TRACE_FLAG_RANDOM) !== 0,
  };
}

const FLAGS = ['-00', '-01', '-02', '-03'];

/**
 * `00-<traceId>-<parentId>-<flags>`: flags `00`/`01`, or with the Level 2 random-trace-id bit
 * `02`/`03`. Other (reserved) bits are always zero, as the spec requires.
 */
export function formatTraceparent(
  traceId: string,
  parentId: string,
  sampled: boolean,
  random = false,
): string {
  return '00-' + traceId + '-' + parentId + FLAGS[(sampled ? 1 : 0) | (random ? 2 : 0)];
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
 * Level 2: `key = (lcalpha / DIGIT) 0*255(keychar)` with
 * `keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"` — 1 to 256 chars, `@` anywhere after the
 * first char (Level 1's `tenant@system` form, with its 241/14 limits, is superseded).
 */
export function isValidTracestateKey(key: string): boolean {
  const n = key.length;
  if (n === 0 || n > 256) return false;
  const c0 = key.charCodeAt(0);
  if (!(isLcAlpha(c0) || (c0 >= 48 && c0 <= 57))) return false;
  for (let i = 1; i < n; i++) {
    const c = key.charCodeAt(i);
    if (!isKeyChar(c) && c !== 64) return false;
  }
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
 * them); any invalid member or more than 32 members make the whole header invalid (`null`): the
 * spec's strict test suite expects the tracestate to be discarded then. A duplicated key no longer
 * invalidates it (Level 2): the first (left-most, most recent) member of a key is kept and later
 * ones are dropped. An empty header yields `[]`.
 */
export function parseTracestate(raw: string | undefined): TracestateMember[] | null {
  if (raw === undefined) return [];
  const members: TracestateMember[] = [];
  let count = 0;
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
    if (++count > TRACESTATE_MAX_MEMBERS) return null;
    let duplicate = false;
    for (const prev of members) if (prev.key === key) duplicate = true;
    if (!duplicate) members.push({ key, value });
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
