import { encodeStatJson, encodeStatLegacy, type StatRow } from '../encoding/stat-line';
import type { LogTypeDefinition } from '../log-types/log-type';
import type { LogTypeRegistry } from '../log-types/registry';
import type { SelfLog } from '../log/self-log';
import type { ReadableSpan, TagValue } from '../span/readable-span';
import type { Reporter, WriterSource } from './reporter';

/** Settings of the stat reporter. */
export interface StatReporterOptions {
  readonly jsonOutput: boolean;
  readonly intervalMs: number;
  /** Keys kept per interval; past it the rows are printed early and the map cleared (reported). */
  readonly keyLimit: number;
  readonly now?: () => number;
}

interface Entry {
  readonly def: LogTypeDefinition;
  readonly row: {
    keyFields: readonly string[];
    keyValues: string[];
    count: number;
    totalCostMs: number;
    success: boolean;
    loadTest: boolean;
  };
}

// The aggregation is a tree keyed by log type, then `local.app`, then each key field's value; a
// leaf holds the four (success × load test) rows. Finding a row walks maps with the span's own
// strings: no key string is concatenated per span, nothing is allocated once a key exists.
type KeyNode = Map<string, KeyNode | Leaf>;
type Leaf = [Entry | undefined, Entry | undefined, Entry | undefined, Entry | undefined];

/**
 * Aggregates every finished span (sampled or not) by (log type, `local.app`, the log type's key
 * fields, success, load test) and prints one line per key with count > 0 every interval, then
 * resets. Unlike Java, hitting the key limit prints the rows early instead of losing them.
 */
export class StatReporter implements Reporter {
  readonly type = 'stat';
  private roots = new Map<LogTypeDefinition, KeyNode>();
  private entries: Entry[] = [];
  private readonly keyFieldsCache = new Map<LogTypeDefinition, readonly string[]>();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;
  private closed = false;
  private limitReported = false;

  constructor(
    private readonly registry: LogTypeRegistry,
    private readonly files: WriterSource & { flush(): Promise<void> },
    private readonly selfLog: SelfLog,
    private readonly options: StatReporterOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => {
      this.print();
      this.limitReported = false;
    }, options.intervalMs);
    this.timer.unref();
  }

  report(span: ReadableSpan): void {
    if (this.closed) return;
    const def = this.registry.get(span.logType);
    if (def === undefined) return;
    const success = def.isSuccess(span);
    const loadTest = span.context().isLoadTest;
    const slot = (success ? 0 : 2) + (loadTest ? 1 : 0);
    let leaf = this.leafOf(def, span);
    let entry = leaf[slot];
    if (entry === undefined) {
      if (this.entries.length >= this.options.keyLimit) {
        this.overflow();
        leaf = this.leafOf(def, span);
      }
      const fields = def.statKeyFields;
      const keyValues = [span.localApp];
      for (let i = 0; i < fields.length; i++) keyValues.push(tagText(span.tags[fields[i]!]));
      entry = {
        def,
        row: { keyFields: this.keyFields(def), keyValues, count: 0, totalCostMs: 0, success, loadTest },
      };
      leaf[slot] = entry;
      this.entries.push(entry);
    }
    entry.row.count++;
    entry.row.totalCostMs += Math.round(span.durationMs);
  }

  /** Prints every key with a count and resets the aggregation. */
  print(): void {
    if (this.entries.length === 0) return;
    const entries = this.entries;
    this.entries = [];
    this.roots = new Map();
    const time = this.now();
    const encode = this.options.jsonOutput ? encodeStatJson : encodeStatLegacy;
    for (const { def, row } of entries) {
      if (row.count === 0) continue;
      this.files.writer(def.statFile, row.loadTest).append(encode(time, row as StatRow));
    }
  }

  flush(): Promise<void> {
    return this.files.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.print();
    this.closed = true;
    clearInterval(this.timer);
  }

  private leafOf(def: LogTypeDefinition, span: ReadableSpan): Leaf {
    let node = this.roots.get(def);
    if (node === undefined) {
      node = new Map();
      this.roots.set(def, node);
    }
    const fields = def.statKeyFields;
    const tags = span.tags;
    let value = span.localApp;
    for (let i = 0; i < fields.length; i++) {
      let child = node.get(value) as KeyNode | undefined;
      if (child === undefined) {
        child = new Map();
        node.set(value, child);
      }
      node = child;
      value = tagText(tags[fields[i]!]);
    }
    let leaf = node.get(value) as Leaf | undefined;
    if (leaf === undefined) {
      leaf = [undefined, undefined, undefined, undefined];
      node.set(value, leaf);
    }
    return leaf;
  }

  private overflow(): void {
    if (!this.limitReported) {
      this.limitReported = true;
      this.selfLog.warn(
        `stat key limit ${this.options.keyLimit} reached; printing ${this.entries.length} rows early and starting over`,
      );
    }
    this.print();
  }

  private keyFields(def: LogTypeDefinition): readonly string[] {
    let f = this.keyFieldsCache.get(def);
    if (!f) {
      f = Object.freeze(['local.app', ...def.statKeyFields]);
      this.keyFieldsCache.set(def, f);
    }
    return f;
  }
}

function tagText(v: TagValue | undefined): string {
  return v === undefined ? '' : typeof v === 'string' ? v : String(v);
}
