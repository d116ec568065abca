import type { IncomingMessage } from 'node:http';

/** What this module reads from an express request (express 4 and 5). */
export interface ExpressRequestLike extends IncomingMessage {
  baseUrl?: string;
  params?: Record<string, unknown>;
}

/** Template of the mount path a request is under: `concrete` base URL → `template`. */
export interface MountTemplate {
  concrete: string;
  template: string;
}

/** `route.path` as text: a string as is, arrays joined with `,`, RegExps as `/source/`. */
export function routePathText(path: unknown): string {
  if (typeof path === 'string') return path;
  if (Array.isArray(path)) return path.map(routePathText).join(',');
  if (path instanceof RegExp) return String(path);
  return String(path);
}

/**
 * The template of `req.baseUrl`. `req.baseUrl` holds the concrete mount path (`/tenants/42`);
 * mounts with parameters are turned back into their template (`/tenants/:tid`) by
 * {@link noteMount}, which runs when a parameterised mount is entered.
 */
function baseTemplate(req: ExpressRequestLike, m: MountTemplate | undefined): string {
  const base = req.baseUrl ?? '';
  if (m !== undefined && base.startsWith(m.concrete)) {
    const c = base.charCodeAt(m.concrete.length);
    if (Number.isNaN(c) || c === 47) return m.template + base.slice(m.concrete.length);
  }
  return base;
}

/**
 * Called for a non-route layer (middleware or a mounted router/app) about to run. When its mount
 * path had parameters (`req.params` not empty), returns how the new `req.baseUrl` maps to its
 * template (each parameter value replaces one path segment, right to left), else `undefined`.
 * The caller keeps the result with the request's tracing state (`prev` is the last one).
 */
export function noteMount(
  req: ExpressRequestLike,
  prev: MountTemplate | undefined,
): MountTemplate | undefined {
  const params = req.params;
  if (params === undefined || params === null) return undefined;
  let any = false;
  for (const _ in params) {
    any = true;
    break;
  }
  if (!any) return undefined;
  const base = req.baseUrl ?? '';
  if (base.length === 0) return undefined;
  let known = '';
  let knownTemplate = '';
  if (prev !== undefined && base.startsWith(prev.concrete)) {
    known = prev.concrete;
    knownTemplate = prev.template;
  }
  const rest = base.slice(known.length).split('/');
  const used = new Set<string>();
  for (let i = rest.length - 1; i >= 0; i--) {
    const seg = rest[i]!;
    if (seg.length === 0) continue;
    let decoded = seg;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      // keep the raw segment
    }
    for (const name in params) {
      if (used.has(name)) continue;
      const v = params[name];
      if (v === seg || v === decoded) {
        rest[i] = ':' + name;
        used.add(name);
        break;
      }
    }
  }
  return { concrete: base, template: knownTemplate + rest.join('/') };
}

/**
 * The route template of a matched route: the mount template plus `route.path`
 * (`/api` + `/users/:id` → `/api/users/:id`; a `/` route under `/api` → `/api`).
 */
export function routeTemplate(req: ExpressRequestLike, routePath: unknown, mount?: MountTemplate): string {
  const path = routePathText(routePath);
  const base = baseTemplate(req, mount);
  if (base.length === 0) return path;
  if (path === '/' || path.length === 0) return base;
  return base + path;
}
