import type { DigestRecord } from './records';
import { str } from './records';
import type { TraceTree, TraceTreeNode } from './tree';

// The route value HTTP server plugins log when no route matched (core's UNMATCHED_ROUTE); the
// CLI has no runtime dependency on core, so the literal is repeated here.
const UNMATCHED = 'UNMATCHED';

/** Options of {@link renderTree}. */
export interface RenderOptions {
  /** Draw the tree with `|-`/`` `- `` instead of box-drawing characters. */
  readonly ascii?: boolean;
}

/**
 * What a span did, in one line: `<method> <route> (<url>)` for a server span whose framework
 * logged a route template, `<method> <url> (no route matched)` when none matched, `<method> <url>`
 * otherwise, then result code and time cost, then the
 * error when there was one. Fields the line lacks are left out.
 */
export function describeSpan(r: DigestRecord): string {
  const f = r.fields;
  const parts: string[] = [];
  const method = str(f['method']);
  const url = str(f['request.url']);
  const route = str(f['route']);
  if (method) parts.push(method);
  if (route === UNMATCHED) parts.push(url ? `${url} (no route matched)` : '(no route matched)');
  else if (route && url && route !== url) parts.push(`${route} (${url})`);
  else if (route || url) parts.push(route || url);
  parts.push(r.resultCode || '-');
  if (r.timeCost) parts.push(r.timeCost);
  const error = str(f['error']);
  if (error) parts.push(`error: ${error}`);
  return parts.join(' ');
}

/** One span as a line: `<spanId> <kind> <local.app> [<log type>] <what it did>`. */
export function formatSpanLine(r: DigestRecord): string {
  return `${r.spanId} ${r.kind || '-'} ${r.localApp || '-'} [${r.logType}] ${describeSpan(r)}`;
}

function renderNode(
  node: TraceTreeNode,
  prefix: string,
  branch: string,
  ascii: boolean,
  out: string[],
): void {
  const missing = node.missingParent !== undefined ? ` (parent ${node.missingParent} not in logs)` : '';
  out.push(prefix + branch + formatSpanLine(node.record) + missing);
  const n = node.children.length;
  const childPrefix =
    prefix + (branch === '' ? '' : branch.startsWith(ascii ? '|' : '├') ? (ascii ? '|  ' : '│  ') : '   ');
  node.children.forEach((child, i) => {
    const last = i === n - 1;
    const b = ascii ? (last ? '`- ' : '|- ') : last ? '└─ ' : '├─ ';
    renderNode(child, childPrefix, b, ascii, out);
  });
}

/**
 * Renders a trace as an indented tree, one span per line, children under their parent in span-id
 * order, preceded by a header line naming the trace, its span count and its services. Ends with a
 * newline.
 */
export function renderTree(tree: TraceTree, options: RenderOptions = {}): string {
  const ascii = options.ascii === true;
  const spans = tree.spanCount === 1 ? '1 span' : `${tree.spanCount} spans`;
  const out = [`trace ${tree.traceId}: ${spans} in ${tree.apps.join(', ') || '-'}`];
  for (const root of tree.roots) renderNode(root, '', '', ascii, out);
  return out.join('\n') + '\n';
}
