import { hostname } from 'node:os';

/**
 * Lookout's common tags: `app` (required), `host`, `ip`, and `zone` / `instance_id` when known.
 * `extra` is merged last; empty values are left out.
 */
export function buildCommonTags(
  app: string,
  zone: string | undefined,
  instanceId: string | undefined,
  extra: Readonly<Record<string, string>> | undefined,
  ip: string,
): Record<string, string> {
  const tags: Record<string, string> = { app, host: hostname(), ip };
  if (zone) tags.zone = zone;
  if (instanceId) tags.instance_id = instanceId;
  for (const [k, v] of Object.entries(extra ?? {}))
    if (v !== undefined && v !== null && v !== '') tags[k] = String(v);
  return tags;
}
