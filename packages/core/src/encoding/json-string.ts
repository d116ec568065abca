// Java SOFATracer never escapes digest values (a quote in a URL breaks the line). Here every
// value goes through this: a quick scan, and JSON.stringify only when something needs escaping.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]/;

// Valid raw in JSON, so JSON.stringify leaves them, but line-based tools split on them (Python's
// splitlines on U+0085/U+2028/U+2029, terminals act on C1 controls such as U+009B CSI).
const LINE_UNSAFE = /[\u007f-\u009f\u2028\u2029]/g;

function unicodeEscape(c: string): string {
  return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
}

/**
 * A JSON string literal (with quotes) for `value`; always valid JSON, never a raw line break of
 * any kind (CR, LF, U+0085, U+2028, U+2029) nor a raw C0/C1 control character.
 */
export function jsonString(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return '"' + value + '"';
  const json = JSON.stringify(value);
  LINE_UNSAFE.lastIndex = 0;
  return LINE_UNSAFE.test(json) ? json.replace(LINE_UNSAFE, unicodeEscape) : json;
}

// eslint-disable-next-line no-control-regex
const LEGACY_SPECIAL = /[,\r\n\u0000-\u001f%\u007f-\u009f\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const LEGACY_TEST = /[,\r\n\u0000-\u001f%\u007f-\u009f\u2028\u2029]/;

function percentEncode(c: string): string {
  const code = c.charCodeAt(0);
  // Above ASCII the UTF-8 bytes are encoded (U+2028 → %E2%80%A8), so a decoder gets the character back.
  return code < 0x7f ? '%' + code.toString(16).toUpperCase().padStart(2, '0') : encodeURIComponent(c);
}

/**
 * A value for the legacy comma format: `,`, `%`, CR, LF, C0/C1 control characters and
 * U+2028/U+2029 are percent-encoded so one field can never split into two or a line into two.
 */
export function legacyValue(value: string): string {
  if (!LEGACY_TEST.test(value)) return value;
  return value.replace(LEGACY_SPECIAL, percentEncode);
}
