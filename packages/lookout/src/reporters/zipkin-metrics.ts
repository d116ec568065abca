import type { Registry } from '../api/registry';

/** Counter of spans the Zipkin reporter dropped, tag `reason` (Prometheus `tracer_zipkin_spans_dropped_total`). */
export const ZIPKIN_DROP_METRIC = 'tracer.zipkin.spans.dropped';
/** Gauge of spans waiting in the Zipkin reporter's queue (Prometheus `tracer_zipkin_queue_spans`). */
export const ZIPKIN_QUEUE_METRIC = 'tracer.zipkin.queue.spans';

/**
 * What Lookout reads from a `@sofa-tracer/zipkin` reporter (structural: Lookout does not depend on
 * the zipkin package). `droppedBy` has one entry per drop reason, so every reason has a series
 * from the start (at 0) and alert rules can use `increase()` on it.
 */
export interface ZipkinDropSource {
  stats(): { readonly droppedBy: Readonly<Record<string, number>>; readonly queuedSpans: number };
  onDrop(listener: (count: number, reason: string) => void): () => void;
}

/**
 * Exports a Zipkin reporter's drops as the Lookout counter {@link ZIPKIN_DROP_METRIC}`{reason}`
 * (drops before this call included) and its queue length as {@link ZIPKIN_QUEUE_METRIC}.
 * Returns a function that stops counting.
 *
 * @example registerZipkinMetrics(enableLookout().registry, enableZipkin({ baseUrl }))
 */
export function registerZipkinMetrics(registry: Registry, source: ZipkinDropSource): () => void {
  const counter = (reason: string) =>
    registry.counter(registry.createId(ZIPKIN_DROP_METRIC, { reason }), {
      description:
        'Spans the Zipkin reporter dropped (queue full, collector failing, rejected, close deadline)',
    });
  const stop = source.onDrop((count, reason) => counter(reason).inc(count));
  for (const [reason, n] of Object.entries(source.stats().droppedBy)) counter(reason).inc(n);
  registry.gauge(ZIPKIN_QUEUE_METRIC, () => source.stats().queuedSpans, {
    description: 'Spans waiting in the Zipkin reporter queue',
  });
  return stop;
}
