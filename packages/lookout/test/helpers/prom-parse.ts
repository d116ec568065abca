// parse-prometheus-text-format ships no types; this is the shape it returns.

const parse = require('parse-prometheus-text-format') as (text: string) => ParsedFamily[];

/** One sample of a parsed family (histograms carry buckets/count/sum instead of value). */
export interface ParsedSample {
  value?: string;
  labels?: Record<string, string>;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}

/** One metric family as parse-prometheus-text-format returns it. */
export interface ParsedFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: ParsedSample[];
}

/** Parses Prometheus text exposition with a real parser. */
export function parseExposition(text: string): ParsedFamily[] {
  return parse(text);
}

/** The family called `name`; throws listing what exists when absent. */
export function family(families: ParsedFamily[], name: string): ParsedFamily {
  const f = families.find((x) => x.name === name);
  if (!f) throw new Error(`no family ${name}; have: ${families.map((x) => x.name).join(', ')}`);
  return f;
}

/** One sample line of the exposition. */
export interface SampleLine {
  name: string;
  labels: Record<string, string>;
  value: string;
}

/**
 * Every sample line, labels unescaped. parse-prometheus-text-format flattens labelled histograms
 * into one (it keeps only the last series' buckets), so histogram series are read with this.
 */
export function sampleLines(text: string): SampleLine[] {
  const out: SampleLine[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \S+)?$/.exec(line);
    if (!m) throw new Error('unparseable sample line: ' + line);
    const labels: Record<string, string> = {};
    const body = m[3] ?? '';
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
    let lm: RegExpExecArray | null;
    while ((lm = re.exec(body)) !== null)
      labels[lm[1]] = lm[2].replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1], labels, value: m[4] });
  }
  return out;
}

/** Samples named `name` whose labels include `match`. */
export function samplesOf(text: string, name: string, match: Record<string, string> = {}): SampleLine[] {
  return sampleLines(text).filter(
    (s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v),
  );
}

/** The value of the single sample named `name` matching `match`, as a number. */
export function valueOf(text: string, name: string, match: Record<string, string> = {}): number {
  const found = samplesOf(text, name, match);
  if (found.length !== 1)
    throw new Error(`expected one ${name}${JSON.stringify(match)}, found ${found.length}`);
  return Number(found[0].value);
}
