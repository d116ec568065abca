/**
 * Lookout names → Prometheus names. One deterministic rule, used by the /metrics exposition, the
 * Pushgateway push and the docs, so a metric has the same name wherever it is exported:
 * every character outside `[a-zA-Z0-9_:]` becomes `_` (`http.server.requests` →
 * `http_server_requests`), a leading digit gets a `_` prefix, then a kind suffix is added
 * (`_total` counters, `_seconds` timers) unless the name already ends with it.
 */
export function sanitizeMetricName(name: string): string {
  let out = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  if (out.length === 0) return '_';
  if (/^[0-9]/.test(out)) out = '_' + out;
  return out;
}

/** Appends `_suffix` unless the name already ends with it. */
export function withSuffix(name: string, suffix: string): string {
  return name.endsWith('_' + suffix) ? name : name + '_' + suffix;
}

// `le` and `quantile` belong to histograms and summaries; a tag with that key would corrupt them.
const RESERVED_LABELS = new Set(['le', 'quantile']);

/**
 * Lookout tag key → Prometheus label name: characters outside `[a-zA-Z0-9_]` become `_`, a leading
 * digit gets a `_` prefix, a leading `__` (reserved by Prometheus) is reduced to one `_`, and the
 * reserved `le`/`quantile` become `tag_le`/`tag_quantile`. Returns `""` for an empty key.
 */
export function sanitizeLabelName(key: string): string {
  let out = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (out.length === 0) return '';
  if (/^[0-9]/.test(out)) out = '_' + out;
  out = out.replace(/^_{2,}/, '_');
  if (RESERVED_LABELS.has(out)) out = 'tag_' + out;
  return out;
}

/**
 * Tags → a Prometheus label object with sanitised keys. When two keys sanitise to the same
 * label, the first in sorted key order wins (documented limit).
 */
export function toLabels(tags: ReadonlyMap<string, string>): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of tags) {
    const name = sanitizeLabelName(k);
    if (name && !(name in out)) out[name] = v;
  }
  return Object.freeze(out);
}
