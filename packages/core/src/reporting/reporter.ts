import type { LogWriter } from '../log/log-writer';
import type { ReadableSpan } from '../span/readable-span';

/** A consumer of finished spans with a lifecycle (Java `Reporter`). After `close`, reports are ignored. */
export interface Reporter {
  /** One reporter per type in a composite (`digest`, `stat`, `zipkin`, …). */
  readonly type: string;
  report(span: ReadableSpan): void;
  /** Resolves when everything reported so far is delivered. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Where file reporters get their writers (the tracer's log directory). */
export interface WriterSource {
  /** The writer of `fileName`; `shadow` for load-test traffic (`shadow/<file>`). */
  writer(fileName: string, shadow?: boolean): LogWriter;
}
