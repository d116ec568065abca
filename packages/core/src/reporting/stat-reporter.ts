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

/**
 * Aggregates every finished span (sampled or not) by (log type, `local.app`, the log type's key
 * fields, success, load test) and prints one line per key with count > 0 every interval, then
 * resets. Unlike Java, hitting the key limit prints the rows early instead of losing them.
 */
export class StatReporter implements Reporter {
  readonly type = 'stat';
  private entries = new Map<string, Entry>();
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
    if (!def) return;
    const success = def.isSuccess(span);
    const loadTest = span.context().isLoadTest;
    const fields = def.statKeyFields;
    const tags = span.tags;
    let key = def.name + '\u0000' + span.localApp;
    for (let i = 0; i < fields.length; i++) key += '\u0000' + tagText(tags[fields[i]!]);
    key += success ? '\u0000Y' : '\u0000N';
    key += loadTest ? 'T' : 'F';
    let entry = this.entries.get(key);
    if (!entry) {
      if (this.entries.size >= this.options.keyLimit) this.overflow();
      const keyValues = [span.localApp];
      for (let i = 0; i < fields.length; i++) keyValues.push(tagText(tags[fields[i]!]));
      entry = {
        def,
        row: { keyFields: this.keyFields(def), keyValues, count: 0, totalCostMs: 0, success, loadTest },
      };
      this.entries.set(key, entry);
    }
    entry.row.count++;
    entry.row.totalCostMs += Math.round(span.durationMs);
  }

  /** Prints every key with a count and resets the aggregation. */
  print(): void {
    if (this.entries.size === 0) return;
    const entries = this.entries;
    this.entries = new Map();
    const time = this.now();
    const encode = this.options.jsonOutput ? encodeStatJson : encodeStatLegacy;
    for (const { def, row } of entries.values()) {
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

  private overflow(): void {
    if (!this.limitReported) {
      this.limitReported = true;
      this.selfLog.warn(
        `stat key limit ${this.options.keyLimit} reached; printing ${this.entries.size} rows early and starting over`,
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
