import type { DigestRecord } from './records';
import { compareSpanIds, parentSpanId } from './span-id';

/** A span of a reassembled trace and the spans it called. */
export interface TraceTreeNode {
  readonly record: DigestRecord;
  /** Child spans, ordered by span id. */
  readonly children: TraceTreeNode[];
  /**
   * Set when the span's direct parent is not in the logs read (another service's logs were not
   * given, the parent was not sampled, or the trace entered from a foreign tracer): the missing id.
   */
  readonly missingParent?: string;
}

/** One trace reassembled from digest lines of any number of files and services. */
export interface TraceTree {
  readonly traceId: string;
  /** Top-level spans: the root (`0`), plus any span whose ancestors are all missing. */
  readonly roots: TraceTreeNode[];
  readonly spanCount: number;
  /** The distinct `local.app` values, sorted. */
  readonly apps: string[];
}

// A client and a server span may share one id (Java SOFATracer services continue the caller's id);
// then the callee side nests under the caller side.
const KIND_RANK: Record<string, number> = { client: 0, producer: 1, server: 2, consumer: 3 };
const rank = (k: string): number => KIND_RANK[k] ?? 4;
const isCallee = (k: string): boolean => k === 'server' || k === 'consumer';

function compareRecords(a: DigestRecord, b: DigestRecord): number {
  return (
    compareSpanIds(a.spanId, b.spanId) ||
    rank(a.kind) - rank(b.kind) ||
    (a.time < b.time ? -1 : a.time > b.time ? 1 : 0) ||
    (a.localApp < b.localApp ? -1 : a.localApp > b.localApp ? 1 : 0)
  );
}

interface MutableNode {
  record: DigestRecord;
  children: MutableNode[];
  missingParent?: string;
}

/**
 * Reassembles a trace from digest records (from any number of files and services) into a tree by
 * dotted span id: `0` → `0.1` → `0.1.1`. A span whose parent is absent hangs under its nearest
 * present ancestor (marked with `missingParent`), or becomes a root when none is present.
 *
 * @param records digest records; with `traceId`, records of other traces are ignored.
 * @param traceId the trace to build; default: the trace id of the first record.
 */
export function buildTraceTree(records: readonly DigestRecord[], traceId?: string): TraceTree {
  const id = traceId ?? records[0]?.traceId ?? '';
  const mine = records.filter((r) => r.traceId === id).sort(compareRecords);
  // Span id → the node that children of that id attach to (the callee side when both exist).
  const anchor = new Map<string, MutableNode>();
  // Span id → the parent list the first span of that id went into (for same-id siblings).
  const siblings = new Map<string, MutableNode[]>();
  const roots: MutableNode[] = [];

  for (const record of mine) {
    const node: MutableNode = { record, children: [] };
    const same = anchor.get(record.spanId);
    if (same !== undefined) {
      if (isCallee(record.kind) && !isCallee(same.record.kind)) {
        same.children.push(node);
        anchor.set(record.spanId, node);
      } else {
        (siblings.get(record.spanId) ?? roots).push(node);
      }
      continue;
    }
    const direct = parentSpanId(record.spanId);
    let p = direct;
    let parent: MutableNode | undefined;
    while (p !== '' && (parent = anchor.get(p)) === undefined) p = parentSpanId(p);
    if (direct !== '' && parent === undefined) node.missingParent = direct;
    else if (parent !== undefined && p !== direct) node.missingParent = direct;
    const list = parent !== undefined ? parent.children : roots;
    list.push(node);
    anchor.set(record.spanId, node);
    siblings.set(record.spanId, list);
  }

  const apps = [...new Set(mine.map((r) => r.localApp))].sort();
  return { traceId: id, roots, spanCount: mine.length, apps };
}
