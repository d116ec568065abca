import type { SelfLog } from '../log/self-log';
import type { ReadableSpan } from '../span/readable-span';
import type { Reporter } from './reporter';

/**
 * Holds one reporter per type and fans each span out to all of them. A reporter that throws is
 * isolated (self-logged); the others still get the span.
 */
export class CompositeReporter implements Reporter {
  readonly type = 'composite';
  private reporters: Reporter[] = [];
  private closed = false;

  constructor(private readonly selfLog: SelfLog) {}

  /** Adds `reporter`, replacing an earlier one of the same type. */
  add(reporter: Reporter): void {
    this.reporters = [...this.reporters.filter((r) => r.type !== reporter.type), reporter];
  }

  /** Removes the reporter of `type`; returns it. */
  remove(type: string): Reporter | undefined {
    const r = this.reporters.find((x) => x.type === type);
    this.reporters = this.reporters.filter((x) => x.type !== type);
    return r;
  }

  report(span: ReadableSpan): void {
    // After close() every reporter still sees the span: each decides (the digest reporter counts
    // it as dropped on its closed file, so spans of in-flight requests never vanish uncounted).
    const list = this.reporters;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!.report(span);
      } catch (error) {
        this.selfLog.error(`reporter "${list[i]!.type}" failed`, error);
      }
    }
  }

  async flush(): Promise<void> {
    await Promise.all(
      this.reporters.map((r) =>
        r.flush().catch((e: unknown) => this.selfLog.error(`flush of "${r.type}" failed`, e)),
      ),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.reporters.map((r) =>
        r.close().catch((e: unknown) => this.selfLog.error(`close of "${r.type}" failed`, e)),
      ),
    );
  }
}
