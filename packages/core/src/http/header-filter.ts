import type { IncomingHttpHeaders } from 'node:http';
import type { PropagationFormat } from '../propagation/codec';

type Family = 'b3' | 'sftc' | 'w3c' | 'baggage-prefixed';

/** Which propagation family an incoming header belongs to; `undefined` for ordinary headers. */
function familyOf(lowerName: string): Family | undefined {
  if (lowerName.startsWith('x-b3-') || lowerName === 'b3') return 'b3';
  if (lowerName === 'sftc_head') return 'sftc';
  if (lowerName === 'traceparent' || lowerName === 'tracestate' || lowerName === 'baggage') return 'w3c';
  if (lowerName.startsWith('baggage-')) return 'baggage-prefixed';
  return undefined;
}

/**
 * Whether a header name (any case) belongs to a trace-propagation format the tracer writes or
 * reads: `X-B3-*`, `b3`, `baggage-*`, `sftc_head`, `traceparent`, `tracestate`, `baggage`.
 * Client instrumentations remove such headers from a traced outgoing request before injecting
 * their own, so copied headers never reach a host twice or bypass the allow-list.
 */
export function isTraceHeader(name: string): boolean {
  return familyOf(name.toLowerCase()) !== undefined;
}

/**
 * Restricts the trace headers a server accepts to some formats, without touching the tracer's
 * own configuration: headers of the other formats are hidden from `extract`. `sofa-b3` and hex
 * `b3` share the `X-B3-*` names, so accepting either lets both through; `baggage-*` headers come
 * with `sofa-b3` only.
 */
export class HeaderFormatFilter {
  private readonly allowed: ReadonlySet<Family>;

  constructor(formats: readonly PropagationFormat[]) {
    const allowed = new Set<Family>();
    for (const f of formats) {
      if (f === 'sofa-b3') {
        allowed.add('b3');
        allowed.add('baggage-prefixed');
      } else if (f === 'b3') allowed.add('b3');
      else if (f === 'sftc') allowed.add('sftc');
      else if (f === 'w3c') allowed.add('w3c');
    }
    this.allowed = allowed;
  }

  /** A copy of `headers` without the trace headers of formats not accepted. */
  filter(headers: IncomingHttpHeaders): IncomingHttpHeaders {
    const out: IncomingHttpHeaders = {};
    for (const name of Object.keys(headers)) {
      const fam = familyOf(name.toLowerCase());
      if (fam === undefined || this.allowed.has(fam)) out[name] = headers[name];
    }
    return out;
  }
}
