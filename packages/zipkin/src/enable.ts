import { resolveTracer } from '@sofa-tracer/core';
import type { ZipkinOptions } from './config';
import { zipkinReporter, type ZipkinReporter } from './reporter';

/**
 * Sends the spans of the running tracer (`options.tracer`, else the global one, created if
 * needed) to Zipkin: one line to adopt, `enableZipkin({ baseUrl: 'http://zipkin:9411' })`.
 * With `enabled: false` (or `SOFA_TRACER_ZIPKIN_ENABLED=false`) nothing is attached.
 * `close()` detaches the listener, then flushes within `closeTimeoutMs`.
 */
export function enableZipkin(options: ZipkinOptions = {}): ZipkinReporter {
  const reporter = zipkinReporter(options);
  if (!reporter.config.enabled) return reporter;
  const tracer = options.tracer ?? resolveTracer();
  tracer.addSpanListener(reporter);
  const close = reporter.close.bind(reporter);
  let closing: Promise<void> | undefined;
  return Object.assign(reporter, {
    close(): Promise<void> {
      closing ??= (tracer.removeSpanListener(reporter), close());
      return closing;
    },
  });
}
