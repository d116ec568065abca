import * as prom from 'prom-client';

/** Content type of the Prometheus text format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Content type of OpenMetrics 1.0.0. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** The exposition formats served. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

/** A rendered exposition. */
export interface Exposition {
  contentType: string;
  body: string;
}

/**
 * Picks the format from an `Accept` header by q-value: OpenMetrics when the client prefers
 * `application/openmetrics-text` (Prometheus ≥ 2.5 does), the Prometheus text format otherwise
 * (curl, browsers, old scrapers, missing header).
 */
export function negotiateFormat(accept: string | string[] | undefined | null): ExpositionFormat {
  const header = Array.isArray(accept) ? accept.join(',') : accept;
  if (!header) return 'prometheus';
  let om = -1;
  let text = -1;
  for (const part of header.split(',')) {
    const [type, ...params] = part.trim().split(';');
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k === 'q') {
        const n = Number(v);
        q = Number.isFinite(n) ? n : 0;
      }
    }
    const t = type.trim().toLowerCase();
    if (t === 'application/openmetrics-text') om = Math.max(om, q);
    else if (t === 'text/plain' || t === '*/*' || t === 'text/*') text = Math.max(text, q);
  }
  return om > 0 && om >= text ? 'openmetrics' : 'prometheus';
}

function escapeHelp(s: string, openMetrics: boolean): string {
  const out = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return openMetrics ? out.replace(/"/g, '\\"') : out;
}

function escapeLabelValue(v: unknown): string {
  return String(v).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

interface JsonValue {
  labels?: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/**
 * OpenMetrics 1.0 text of a prom-client registry. prom-client's own OpenMetrics mode renames
 * counter objects in place (drops `_total` from `metric.name`), which would change the names of
 * the Prometheus-text exposition after the first OpenMetrics scrape; this serialiser reads
 * `metric.get()` and mutates nothing, so both formats carry the same series names.
 */
export async function renderOpenMetrics(registry: prom.Registry): Promise<string> {
  const defaults = (registry as unknown as { _defaultLabels?: Record<string, string> })._defaultLabels ?? {};
  const metrics = registry.getMetricsAsArray() as unknown as {
    get(): Promise<{ name: string; help: string; type: string; values?: JsonValue[] }>;
  }[];
  const results = await Promise.all(metrics.map((m) => m.get()));
  const lines: string[] = [];
  for (const m of results) {
    const isCounter = m.type === 'counter';
    const family = isCounter ? m.name.replace(/_total$/, '') : m.name;
    const type =
      m.type === 'counter' || m.type === 'gauge' || m.type === 'histogram' || m.type === 'summary'
        ? m.type
        : 'unknown';
    lines.push(`# TYPE ${family} ${type}`);
    lines.push(`# HELP ${family} ${escapeHelp(m.help ?? '', true)}`);
    for (const v of m.values ?? []) {
      let name = v.metricName ?? m.name;
      if (isCounter && !v.metricName) name = family + '_total';
      // Same order and precedence as prom-client's text format: own labels first and winning.
      const own = v.labels ?? {};
      const labels = { ...own, ...defaults, ...own };
      const parts: string[] = [];
      for (const [k, val] of Object.entries(labels))
        if (val !== undefined) parts.push(`${k}="${escapeLabelValue(val)}"`);
      lines.push(`${name}${parts.length ? '{' + parts.join(',') + '}' : ''} ${formatValue(v.value)}`);
    }
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

/** Renders the registry in the negotiated format. */
export async function renderExposition(
  registry: prom.Registry,
  accept?: string | string[] | null,
): Promise<Exposition> {
  if (negotiateFormat(accept) === 'openmetrics') {
    return { contentType: OPENMETRICS_CONTENT_TYPE, body: await renderOpenMetrics(registry) };
  }
  return { contentType: PROMETHEUS_CONTENT_TYPE, body: await registry.metrics() };
}
