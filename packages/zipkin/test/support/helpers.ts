import { createServer } from 'node:net';
import type { SelfLog } from '@sofa-tracer/core';
import { zipkinReporter, type ZipkinOptions, type ZipkinReporter } from '@sofa-tracer/zipkin';
import { finishedSpan, type SpanShape } from './spans';

export { until } from '../../../../test/support/plugin-fixtures';

/** A self-log that keeps its lines (Java's `[LEVEL]` prefixes) for assertions. */
export class MemorySelfLog implements SelfLog {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push('[INFO]  ' + m);
  }
  warn(m: string): void {
    this.lines.push('[WARN]  ' + m);
  }
  error(m: string, e?: unknown): void {
    this.lines.push('[ERROR] ' + m + (e ? ': ' + String(e) : ''));
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A reporter with test-friendly timings; closed by `closeAll()`. */
export function testReporter(
  options: ZipkinOptions,
  opened: ZipkinReporter[],
): { reporter: ZipkinReporter; selfLog: MemorySelfLog } {
  const selfLog = new MemorySelfLog();
  const reporter = zipkinReporter({
    flushIntervalMs: 20,
    retryBackoffMs: 5,
    reportIntervalMs: 60_000,
    closeTimeoutMs: 2000,
    localIpv4: '10.0.0.7',
    selfLog,
    ...options,
  });
  opened.push(reporter);
  return { reporter, selfLog };
}

/** Reports `n` sampled spans of one trace (ids 0.1 … 0.n). */
export function reportSpans(reporter: ZipkinReporter, n: number, shape: SpanShape = {}, from = 1): void {
  for (let i = from; i < from + n; i++) reporter.onSpanReport(finishedSpan({ spanId: `0.${i}`, ...shape }));
}

/** A TCP port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
