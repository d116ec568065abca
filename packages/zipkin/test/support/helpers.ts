import { createServer } from 'node:net';
import { zipkinReporter, type ZipkinOptions, type ZipkinReporter } from '@sofa-tracer/zipkin';
import { MemorySelfLog } from '../../../core/test/helpers/fixtures';
import { finishedSpan, type SpanShape } from './spans';

export { until } from '../../../../test/support/plugin-fixtures';
export { MemorySelfLog };

/** A reporter with test-friendly timings, added to `opened` for the test's afterEach to close. */
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
