import { writeDigestJson, writeDigestLegacy } from '../encoding/digest-line';
import type { LogTypeDefinition } from '../log-types/log-type';
import type { LogTypeRegistry } from '../log-types/registry';
import type { LineEncoder } from '../log/log-writer';
import type { SelfLog } from '../log/self-log';
import type { ReadableSpan } from '../span/readable-span';
import type { Reporter, WriterSource } from './reporter';

/** Settings of the digest reporter. */
export interface DigestReporterOptions {
  readonly jsonOutput: boolean;
  /** All digest logs off (stats still recorded). */
  readonly disableAll: boolean;
  /** Log types whose digest is off. */
  readonly disabled: readonly string[];
}

/**
 * Encodes one line per finished, sampled span straight into the log type's digest writer
 * (load-test spans go to `shadow/`). Unsampled spans and disabled logs write nothing.
 */
export class DigestReporter implements Reporter {
  readonly type = 'digest';
  private readonly encode: LineEncoder<ReadableSpan, LogTypeDefinition>;
  private readonly disabled: ReadonlySet<string>;
  private readonly unknownTypes = new Set<string>();

  constructor(
    private readonly registry: LogTypeRegistry,
    private readonly files: WriterSource & { flush(): Promise<void> },
    private readonly selfLog: SelfLog,
    private readonly options: DigestReporterOptions,
  ) {
    this.encode = options.jsonOutput ? writeDigestJson : writeDigestLegacy;
    this.disabled = new Set(options.disabled);
  }

  report(span: ReadableSpan): void {
    // Not skipped after close(): the closed writer counts and reports the line as dropped.
    if (this.options.disableAll) return;
    const ctx = span.context();
    if (!ctx.sampled || this.disabled.has(span.logType)) return;
    const def = this.registry.get(span.logType);
    if (def === undefined) {
      if (!this.unknownTypes.has(span.logType) && this.unknownTypes.size < 100) {
        this.unknownTypes.add(span.logType);
        this.selfLog.warn(
          `span "${span.operationName}" has log type "${span.logType}" that no plugin registered; its digest line is not written`,
        );
      }
      return;
    }
    this.files
      .writer(def.digestFile, ctx.isLoadTest)
      .appendEncoded(this.encode, span, def, ctx.traceId, ctx.spanId);
  }

  flush(): Promise<void> {
    return this.files.flush();
  }

  async close(): Promise<void> {
    // The files are closed by their owner (the tracer), after the reporters.
  }
}
