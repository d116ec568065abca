// Java SOFATracer never escapes digest values (a quote in a URL breaks the line). Here every
// value goes through this: a quick scan, and JSON.stringify only when something needs escaping.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;

/** A JSON string literal (with quotes) for `value`; always valid JSON, never a raw CR/LF. */
export function jsonString(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : '"' + value + '"';
}

// eslint-disable-next-line no-control-regex
const LEGACY_SPECIAL = /[,\r\n\u0000-\u001f%]/g;

/**
 * A value for the legacy comma format: `,`, `%`, CR, LF and control characters are
 * percent-encoded so one field can never split into two or a line into two.
 */
export function legacyValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[,\r\n\u0000-\u001f%]/.test(value)) return value;
  return value.replace(
    LEGACY_SPECIAL,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'),
  );
}
