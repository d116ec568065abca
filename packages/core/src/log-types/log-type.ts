import type { ReadableSpan } from '../span/readable-span';

/** One plugin field of a digest line, read from the span tag of the same name. */
export interface DigestField {
  /** Field name in the digest line and tag name on the span, e.g. `request.url`. */
  readonly key: string;
  /** JSON type: numbers are written raw, strings quoted. */
  readonly type: 'string' | 'number';
  /** Written when the tag is absent (default `""` for strings, `-1` for numbers). */
  readonly fallback?: string | number;
}

/**
 * What a plugin declares about its logs: the file names, the ordered plugin fields of its digest
 * line, the fields of its stat key and its success rule. Registered once per plugin.
 */
export interface LogTypeDefinition {
  /** Registry name, also `ReadableSpan.logType`, e.g. `express`, `httpclient`, `biz`. */
  readonly name: string;
  /** Digest file name under the log directory, e.g. `express-digest.log`. */
  readonly digestFile: string;
  /** Stat file name, e.g. `express-stat.log`. */
  readonly statFile: string;
  /** Plugin fields, in the order they are written after the common fields. */
  readonly digestFields: readonly DigestField[];
  /** Stat key fields after `local.app`, read from span tags (e.g. `route`, `method`). */
  readonly statKeyFields: readonly string[];
  /** Success rule for the stat line's `success` flag. */
  isSuccess(span: ReadableSpan): boolean;
}
