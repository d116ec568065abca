/**
 * Small string helpers shared by the codecs: control-character checks, HTTP token checks, the
 * URL encoding Java's `URLEncoder`/`URLDecoder` use, and RFC 3986 percent-encoding for W3C baggage.
 * All of them have an allocation-free fast path for the common case (nothing to encode/decode).
 */

/** True when `s` holds a C0 control char (incl. CR, LF, TAB), DEL or a C1 control char. */
export function hasControlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** True for an RFC 7230 `tchar`. */
export function isTokenChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 33 || // !
    (c >= 35 && c <= 39) || // # $ % & '
    c === 42 || // *
    c === 43 || // +
    c === 45 || // -
    c === 46 || // .
    c === 94 || // ^
    c === 95 || // _
    c === 96 || // `
    c === 124 || // |
    c === 126 // ~
  );
}

/** True when `s` is a non-empty RFC 7230 token (a valid HTTP header name / W3C baggage key). */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

/** `s` without leading/trailing spaces and tabs (HTTP optional whitespace). */
export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * The first element of a header value that Node (or a proxy) may have joined from duplicate
 * headers with `", "`: everything before the first comma, trimmed. Only for values that can never
 * contain a comma themselves (ids, flags, URL-encoded values).
 */
export function firstElement(s: string): string {
  const i = s.indexOf(',');
  return trimOws(i < 0 ? s : s.slice(0, i));
}

const HEX = '0123456789ABCDEF';

function pushPercentUtf8(out: string, s: string, from: number, to: number): string {
  const bytes = Buffer.from(s.slice(from, to), 'utf8');
  for (let j = 0; j < bytes.length; j++) out += '%' + HEX[bytes[j] >> 4] + HEX[bytes[j] & 15];
  return out;
}

function percentEncodeWith(s: string, keep: (c: number) => boolean, plusForSpace: boolean): string {
  let i = 0;
  const n = s.length;
  while (i < n && keep(s.charCodeAt(i))) i++;
  if (i === n) return s;
  let out = s.slice(0, i);
  while (i < n) {
    const c = s.charCodeAt(i);
    if (keep(c)) {
      out += s[i];
      i++;
    } else if (c === 32 && plusForSpace) {
      out += '+';
      i++;
    } else {
      // Encode the whole run of characters to escape at once: surrogate pairs stay together and
      // lone surrogates become U+FFFD (EF BF BD) instead of throwing like encodeURIComponent.
      let j = i + 1;
      while (j < n && !keep(s.charCodeAt(j)) && !(plusForSpace && s.charCodeAt(j) === 32)) j++;
      out = pushPercentUtf8(out, s, i, j);
      i = j;
    }
  }
  return out;
}

function javaSafe(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 46 ||
    c === 45 ||
    c === 42 ||
    c === 95
  );
}

/**
 * `java.net.URLEncoder.encode(s, "UTF-8")`: `[A-Za-z0-9.*_-]` kept, space → `+`, everything else
 * as `%XX` (uppercase) of its UTF-8 bytes. What Java SOFATracer HTTP plugins put in header values.
 */
export function javaUrlEncode(s: string): string {
  return percentEncodeWith(s, javaSafe, true);
}

/** W3C `baggage-octet` minus `%` (which must be encoded since values are percent-decoded). */
export function isBaggageOctet(c: number): boolean {
  return (
    c === 0x21 ||
    (c >= 0x23 && c <= 0x2b && c !== 0x25) ||
    (c >= 0x2d && c <= 0x3a) ||
    (c >= 0x3c && c <= 0x5b) ||
    (c >= 0x5d && c <= 0x7e)
  );
}

/** Percent-encodes (UTF-8) every char of `s` that is not a W3C baggage-octet, and `%` itself. */
export function baggageValueEncode(s: string): string {
  return percentEncodeWith(s, isBaggageOctet, false);
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Percent-decoding that never throws: `%XX` runs are decoded as UTF-8 (invalid sequences become
 * U+FFFD, as the W3C Baggage spec requires), a `%` not followed by two hex digits stays literal,
 * and with `plusAsSpace` (Java's `URLDecoder`) `+` becomes a space.
 */
export function percentDecode(s: string, plusAsSpace: boolean): string {
  if (s.indexOf('%') < 0 && (!plusAsSpace || s.indexOf('+') < 0)) return s;
  let out = '';
  let bytes: number[] | undefined;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && i + 2 < n) {
      const h = hexVal(s.charCodeAt(i + 1));
      const l = hexVal(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        (bytes ??= []).push((h << 4) | l);
        i += 2;
        continue;
      }
    }
    if (bytes !== undefined && bytes.length > 0) {
      out += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    }
    out += c === 43 && plusAsSpace ? ' ' : s[i];
  }
  if (bytes !== undefined && bytes.length > 0) out += Buffer.from(bytes).toString('utf8');
  return out;
}

/** `URLDecoder.decode(s, "UTF-8")` without the exceptions (see {@link percentDecode}). */
export function javaUrlDecode(s: string): string {
  return percentDecode(s, true);
}
