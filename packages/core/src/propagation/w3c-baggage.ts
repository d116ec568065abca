import { baggageValueEncode, hasControlChars, isBaggageOctet, isToken, percentDecode, trimOws } from './text';

/**
 * W3C Baggage (`baggage` header): `key=value;prop;prop=v, key2=value2`.
 * - keys are RFC 7230 tokens; values are percent-encoded UTF-8 made of `baggage-octet`s;
 * - properties are validated, then ignored (not kept, not forwarded);
 * - invalid members are skipped, the first occurrence of a key wins;
 * - limits: at most {@link W3C_BAGGAGE_MAX_MEMBERS} members and {@link W3C_BAGGAGE_MAX_BYTES} bytes
 *   are read and written (the spec's minimums); what is beyond is dropped and reported;
 * - biz baggage ↔ plain members; sys baggage ↔ members whose key starts with `sofa-sys-`.
 */

/** Header name. */
export const W3C_BAGGAGE_HEADER = 'baggage';
/** Prefix marking a sys-baggage member. */
export const W3C_SYS_BAGGAGE_PREFIX = 'sofa-sys-';
/** Most list-members read or written. */
export const W3C_BAGGAGE_MAX_MEMBERS = 64;
/** Most bytes of list-members (incl. separating commas) read or written. */
export const W3C_BAGGAGE_MAX_BYTES = 8192;

/** Result of {@link parseW3cBaggage}. */
export interface ParsedW3cBaggage {
  sys: Map<string, string> | undefined;
  biz: Map<string, string> | undefined;
  /** Number of well-formed members dropped for the member/byte limits. */
  dropped: number;
  /** Number of malformed members skipped. */
  invalid: number;
}

function isValidValue(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (!isBaggageOctet(c) && c !== 0x25) return false;
  }
  return true;
}

/** `property = key OWS "=" OWS value / key OWS`, for each `;`-separated part after the first. */
function arePropertiesValid(member: string, from: number): boolean {
  let start = from;
  while (start < member.length) {
    let end = member.indexOf(';', start);
    if (end < 0) end = member.length;
    const prop = member.slice(start, end);
    const eq = prop.indexOf('=');
    if (eq < 0) {
      if (!isToken(trimOws(prop))) return false;
    } else if (!isToken(trimOws(prop.slice(0, eq))) || !isValidValue(trimOws(prop.slice(eq + 1)))) {
      return false;
    }
    start = end + 1;
  }
  return true;
}

/** Parses a (combined) `baggage` header. Never throws. */
export function parseW3cBaggage(raw: string | undefined): ParsedW3cBaggage {
  const out: ParsedW3cBaggage = { sys: undefined, biz: undefined, dropped: 0, invalid: 0 };
  if (raw === undefined) return out;
  let members = 0;
  let bytes = 0;
  let start = 0;
  const n = raw.length;
  while (start < n) {
    let end = raw.indexOf(',', start);
    if (end < 0) end = n;
    const member = trimOws(raw.slice(start, end));
    start = end + 1;
    if (member === '') continue;
    const semi = member.indexOf(';');
    const kv = semi < 0 ? member : member.slice(0, semi);
    const eq = kv.indexOf('=');
    if (eq < 0) {
      out.invalid++;
      continue;
    }
    const key = trimOws(kv.slice(0, eq));
    const rawValue = trimOws(kv.slice(eq + 1));
    if (!isToken(key) || !isValidValue(rawValue) || (semi >= 0 && !arePropertiesValid(member, semi + 1))) {
      out.invalid++;
      continue;
    }
    const size = member.length + (members === 0 ? 0 : 1);
    if (members === W3C_BAGGAGE_MAX_MEMBERS || bytes + size > W3C_BAGGAGE_MAX_BYTES) {
      out.dropped++;
      continue;
    }
    const value = percentDecode(rawValue, false);
    if (hasControlChars(value)) {
      out.invalid++;
      continue;
    }
    members++;
    bytes += size;
    if (key.startsWith(W3C_SYS_BAGGAGE_PREFIX)) {
      const k = key.slice(W3C_SYS_BAGGAGE_PREFIX.length);
      if (k === '') {
        out.invalid++;
        continue;
      }
      out.sys ??= new Map();
      if (!out.sys.has(k)) out.sys.set(k, value);
    } else {
      out.biz ??= new Map();
      if (!out.biz.has(key)) out.biz.set(key, value);
    }
  }
  return out;
}

/** Result of {@link formatW3cBaggage}. */
export interface FormattedW3cBaggage {
  /** The header value, `undefined` when there is nothing to send. */
  value: string | undefined;
  /** Keys not sent: not a token, control characters, or past the limits. */
  skipped: string[] | undefined;
}

/** Formats sys (`sofa-sys-` prefixed, first) and biz baggage as one `baggage` value within the limits. */
export function formatW3cBaggage(
  sys: ReadonlyMap<string, string>,
  biz: ReadonlyMap<string, string>,
): FormattedW3cBaggage {
  if (sys.size === 0 && biz.size === 0) return { value: undefined, skipped: undefined };
  let value = '';
  let members = 0;
  let skipped: string[] | undefined;
  const add = (key: string, v: string, label: string): void => {
    if (!isToken(key) || hasControlChars(v)) {
      (skipped ??= []).push(label);
      return;
    }
    const member = key + '=' + baggageValueEncode(v);
    const size = member.length + (members === 0 ? 0 : 1);
    if (members === W3C_BAGGAGE_MAX_MEMBERS || value.length + size > W3C_BAGGAGE_MAX_BYTES) {
      (skipped ??= []).push(label);
      return;
    }
    value += (members === 0 ? '' : ',') + member;
    members++;
  };
  for (const [k, v] of sys) add(W3C_SYS_BAGGAGE_PREFIX + k, v, 'sys ' + JSON.stringify(k));
  for (const [k, v] of biz) {
    // a biz key that looks like a sys member would be read back as sys baggage downstream
    if (k.startsWith(W3C_SYS_BAGGAGE_PREFIX)) (skipped ??= []).push('biz ' + JSON.stringify(k));
    else add(k, v, 'biz ' + JSON.stringify(k));
  }
  return { value: members === 0 ? undefined : value, skipped };
}
