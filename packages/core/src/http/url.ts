import type { IncomingMessage } from 'node:http';

/**
 * What to do with the query string in `request.url`:
 * - `true` (default): drop it — Java's `request.url` (`getRequestURL()`) has no query string, and
 *   query strings often carry tokens and personal data;
 * - `false`: keep it as received;
 * - a list of parameter names (case-insensitive): keep the query, replace those values by `***`.
 */
export type QueryRedaction = boolean | readonly string[];

/** `request.url` values longer than this are cut (a digest line must stay a reasonable size). */
export const MAX_URL_LENGTH = 2048;

/** Value written in place of a redacted query parameter. */
export const REDACTED = '***';

/**
 * Prepared form of a {@link QueryRedaction}: resolve once per plugin, apply per request.
 */
export class QueryRedactor {
  private readonly mode: 'strip' | 'keep' | 'mask';
  private readonly names: ReadonlySet<string>;

  constructor(redaction: QueryRedaction | undefined) {
    if (Array.isArray(redaction)) {
      this.mode = 'mask';
      this.names = new Set(redaction.map((n) => String(n).toLowerCase()));
    } else {
      this.mode = redaction === false ? 'keep' : 'strip';
      this.names = new Set();
    }
  }

  /** Applies the redaction to a path or a full URL and caps its length. Never throws. */
  apply(url: string): string {
    const q = url.indexOf('?');
    let out = url;
    if (q >= 0) {
      if (this.mode === 'strip') out = url.slice(0, q);
      else if (this.mode === 'mask') out = url.slice(0, q + 1) + this.mask(url.slice(q + 1));
    }
    return out.length > MAX_URL_LENGTH ? out.slice(0, MAX_URL_LENGTH) : out;
  }

  private mask(query: string): string {
    const hash = query.indexOf('#');
    const body = hash >= 0 ? query.slice(0, hash) : query;
    const parts = body.split('&');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      const eq = p.indexOf('=');
      const rawName = eq >= 0 ? p.slice(0, eq) : p;
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // a malformed escape: compare the raw name
      }
      if (this.names.has(name.toLowerCase())) parts[i] = rawName + '=' + REDACTED;
    }
    return parts.join('&');
  }
}

/** `host[:port]` from the `Host` header (HTTP/1) or `:authority` (HTTP/2), `""` when absent. */
export function requestHost(req: IncomingMessage): string {
  const h = req.headers;
  const host = h.host ?? (h[':authority'] as string | undefined);
  if (typeof host !== 'string') return '';
  return host.length > 255 ? host.slice(0, 255) : host;
}

/**
 * The full URL of an incoming request (`http://host:port/path`), the way Java's
 * `request.url` looks, with the query string handled by `redactor`. Uses `req.url` as received:
 * call it before a framework rewrites `req.url` for mounted routers.
 */
export function serverRequestUrl(req: IncomingMessage, redactor: QueryRedactor): string {
  const encrypted = (req.socket as { encrypted?: boolean } | null)?.encrypted === true;
  return redactor.apply((encrypted ? 'https://' : 'http://') + requestHost(req) + (req.url ?? '/'));
}

/**
 * A host allow-list entry: an exact host name or `host:port`, a `*.example.com` wildcard (any
 * sub-domain), or a RegExp tested against `host:port` and against the host name.
 */
export type HostPattern = string | RegExp;

/** Prepared host allow-list; `undefined` list = every host allowed. */
export class HostMatcher {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly regexps: RegExp[] = [];
  private readonly all: boolean;
  private readonly fn: ((host: string) => boolean) | undefined;

  constructor(list: readonly HostPattern[] | ((host: string) => boolean) | undefined) {
    this.all = list === undefined;
    this.fn = typeof list === 'function' ? list : undefined;
    if (Array.isArray(list)) {
      for (const p of list) {
        if (p instanceof RegExp) this.regexps.push(p);
        else if (typeof p === 'string' && p.startsWith('*.')) this.suffixes.push(p.slice(1).toLowerCase());
        else if (typeof p === 'string') this.exact.add(p.toLowerCase());
      }
    }
  }

  /**
   * @param hostname host name without port, e.g. `api.example.com`.
   * @param hostPort `host:port` as in the request (may equal `hostname`).
   */
  matches(hostname: string, hostPort: string): boolean {
    if (this.all) return true;
    if (this.fn !== undefined) {
      try {
        return this.fn(hostPort) === true;
      } catch {
        return false;
      }
    }
    const name = hostname.toLowerCase();
    const hp = hostPort.toLowerCase();
    if (this.exact.has(name) || this.exact.has(hp)) return true;
    for (const s of this.suffixes) if (name.endsWith(s)) return true;
    for (const r of this.regexps) {
      r.lastIndex = 0;
      if (r.test(hp) || r.test(name)) return true;
    }
    return false;
  }
}
