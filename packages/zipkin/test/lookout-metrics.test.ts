import { Registry, registerZipkinMetrics } from '@sofa-tracer/lookout';
import type { ZipkinReporter } from '@sofa-tracer/zipkin';
import { sampleLines } from '../../lookout/test/helpers/prom-parse';
import { deadPort, reportSpans, testReporter, until } from './support/helpers';

describe('Lookout metric of Zipkin drops', () => {
  const opened: ZipkinReporter[] = [];
  afterAll(async () => {
    for (const r of opened) await r.close();
  });

  it('tracer_zipkin_spans_dropped_total{reason} follows the reporter exactly, drops before registration included', async () => {
    const { reporter } = testReporter(
      {
        baseUrl: `http://127.0.0.1:${await deadPort()}`,
        maxRetries: 0,
        maxQueueSpans: 5,
        flushIntervalMs: 600_000,
      },
      opened,
    );
    reportSpans(reporter, 8); // 5 queued, 3 dropped before Lookout is wired
    const registry = new Registry({ commonTags: { app: 'shop' } });
    registerZipkinMetrics(registry, reporter);
    const series = async () => {
      const lines = sampleLines(await registry.prometheus.metrics());
      const out: Record<string, string> = {};
      for (const l of lines) {
        if (l.name === 'tracer_zipkin_spans_dropped_total') out[l.labels.reason!] = l.value;
        if (l.name === 'tracer_zipkin_queue_spans') out.queue = l.value;
      }
      return out;
    };
    expect(await series()).toEqual({
      queue_full: '3',
      too_large: '0',
      rejected: '0',
      send_failed: '0',
      closed: '0',
      encoding_error: '0',
      queue: '5',
    });
    await reporter.flush(); // connection refused, no retry
    await until(() => reporter.stats().dropped === 8, 'the queued 5 dropped');
    expect(await series()).toMatchObject({ queue_full: '3', send_failed: '5', queue: '0' });
    expect(reporter.stats().droppedBy).toMatchObject({ queue_full: 3, send_failed: 5 });
  });
});
