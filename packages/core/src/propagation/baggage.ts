/**
 * SOFA baggage encoding (`k=v&k2=v2&`, with `%`→`%25`, `&`→`%26`, `=`→`%3D`), used in digest
 * logs, in `sftc_head` and (the escaping part) in `baggage-*` header values, plus the length limit
 * Java declares (`tracer_penetrate_attribute_max_length`) but never enforces.
 */

/** Java's `StringUtils.escapePercentEqualAnd`: `%`→`%25`, `&`→`%26`, `=`→`%3D`. */
export function escapeBaggage(s: string): string {
  let i = 0;
  const n = s.length;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 || c === 38 || c === 61) break;
  }
  if (i === n) return s;
  let out = s.slice(0, i);
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    out += c === 37 ? '%25' : c === 38 ? '%26' : c === 61 ? '%3D' : s[i];
  }
  return out;
}

/**
 * Inverse of {@link escapeBaggage} in one pass: `%25`, `%26`, `%3D` (either case) are restored,
 * any other `%` sequence is left as it is.
 */
export function unescapeBaggage(s: string): string {
  let i = s.indexOf('%');
  if (i < 0) return s;
  let out = s.slice(0, i);
  const n = s.length;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && i + 2 < n) {
      const a = s.charCodeAt(i + 1);
      const b = s.charCodeAt(i + 2) | 0x20; // lowercase letters
      if (a === 50 && b === 53) {
        out += '%';
        i += 2;
        continue;
      }
      if (a === 50 && b === 54) {
        out += '&';
        i += 2;
        continue;
      }
      if (a === 51 && b === 100) {
        out += '=';
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

function escapedLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 || c === 38 || c === 61) n += 2;
  }
  return n;
}

/** Length of one entry as {@link encodeBaggage} writes it: `k=v&`. */
export function baggageEntryLength(key: string, value: string): number {
  return escapedLength(key) + escapedLength(value) + 2;
}

/** `k=v&k2=v2&` (keys and values escaped), in the map's insertion order; `""` for an empty map. */
export function encodeBaggage(map: ReadonlyMap<string, string>): string {
  let out = '';
  for (const [k, v] of map) out += escapeBaggage(k) + '=' + escapeBaggage(v) + '&';
  return out;
}

/**
 * Parses `k=v&k2=v2&` back into a map (the first occurrence of a key wins). Segments without `=`
 * or with an empty key are skipped; values may be empty.
 */
export function decodeBaggage(str: string): Map<string, string> {
  const map = new Map<string, string>();
  if (!str) return map;
  let start = 0;
  const n = str.length;
  while (start < n) {
    let end = str.indexOf('&', start);
    if (end < 0) end = n;
    const eq = str.indexOf('=', start);
    if (eq > start && eq < end) {
      const k = unescapeBaggage(str.slice(start, eq));
      if (!map.has(k)) map.set(k, unescapeBaggage(str.slice(eq + 1, end)));
    }
    start = end + 1;
  }
  return map;
}

/**
 * Keeps entries in insertion order while their encoded length (`k=v&` each, as
 * {@link encodeBaggage} writes them) fits in `maxLength`; drops the first entry that does not fit
 * and every entry after it, and calls `warn` once naming the dropped keys. Returns `map` itself
 * when everything fits. A negative or non-finite `maxLength` means no limit.
 *
 * @param what names the map in the warning (e.g. `"biz baggage"`).
 */
export function limitBaggage(
  map: Map<string, string>,
  maxLength: number,
  warn?: (message: string) => void,
  what = 'baggage',
): Map<string, string> {
  if (map.size === 0 || !(maxLength >= 0) || maxLength === Infinity) return map;
  let total = 0;
  let kept: Map<string, string> | undefined;
  let dropped: string[] | undefined;
  for (const [k, v] of map) {
    if (dropped === undefined) {
      const len = baggageEntryLength(k, v);
      if (total + len <= maxLength) {
        total += len;
        continue;
      }
      dropped = [];
      kept = new Map();
      for (const [k2, v2] of map) {
        if (k2 === k) break;
        kept.set(k2, v2);
      }
    }
    dropped.push(k);
  }
  if (dropped === undefined || kept === undefined) return map;
  if (warn) {
    try {
      warn(
        `${what} exceeds ${maxLength} chars (encoded); dropped ${dropped.length} entr${dropped.length === 1 ? 'y' : 'ies'}: ` +
          dropped.map((k) => JSON.stringify(k.length > 64 ? k.slice(0, 64) + '…' : k)).join(', '),
      );
    } catch {
      // warn must never break the caller
    }
  }
  return kept;
}
