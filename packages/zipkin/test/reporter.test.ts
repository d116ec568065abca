import type { ZipkinReporter, ZipkinStats } from '@sofa-tracer/zipkin';
import { deadPort, reportSpans, testReporter, until } from './support/helpers';
import { finishedSpan } from './support/spans';
import { startZipkinReceiver, type ZipkinReceiver } from './support/zipkin-receiver';

let receiver: ZipkinReceiver;
let opened: ZipkinReporter[];

beforeEach(async () => {
  receiver = await startZipkinReceiver();
  opened = [];
});

afterEach(async () => {
  for (const r of opened) await r.close();
  await receiver.close();
});

/** Every span handed over is accounted for, exactly. */
function balanced(s: ZipkinStats): boolean {
  return s.reported === s.sent + s.dropped + s.queuedSpans + s.inFlightSpans;
}

describe('zipkin reporter: delivery', () => {
  it('sends sampled spans in one batch off the request path; unsampled spans never leave', async () => {
    const { reporter } = testReporter({ baseUrl: receiver.baseUrl }, opened);
    reportSpans(reporter, 25);
    reportSpans(reporter, 5, { sampled: false }, 100);
    expect(receiver.requests).toHaveLength(0); // nothing was sent synchronously
    await until(
      () => receiver.spans.length === 25 && reporter.stats().sent === 25,
      '25 spans at the collector',
    );
    expect(receiver.errors).toEqual([]);
    expect(receiver.requests).toEqual([
      { status: 202, spans: 25, bytes: expect.any(Number), gzip: false, authorization: undefined },
    ]);
    expect(receiver.spans.map((s) => (s.tags as Record<string, string>)['origin.span.id'])).toEqual(
      Array.from({ length: 25 }, (_, i) => `0.${i + 1}`),
    );
    expect(reporter.stats()).toMatchObject({ reported: 25, sent: 25, dropped: 0, queuedSpans: 0 });
  });

  it('keeps every message within maxMessageBytes (size-limited batches), in order', async () => {
    const { reporter } = testReporter({ baseUrl: receiver.baseUrl, maxMessageBytes: 4096 }, opened);
    reportSpans(reporter, 60);
    await until(() => receiver.spans.length === 60 && reporter.stats().sent === 60, '60 spans');
    expect(receiver.requests.length).toBeGreaterThan(5);
    for (const r of receiver.requests) expect(r.bytes).toBeLessThanOrEqual(4096);
    expect(receiver.errors).toEqual([]);
    expect(reporter.stats()).toMatchObject({ sent: 60, dropped: 0 });
  });

  it('gzips bodies when asked (Content-Encoding: gzip, valid JSON inside)', async () => {
    const { reporter } = testReporter({ baseUrl: receiver.baseUrl, gzip: true }, opened);
    reportSpans(reporter, 50);
    await until(() => receiver.spans.length === 50 && reporter.stats().sent === 50, '50 spans');
    expect(receiver.requests.every((r) => r.gzip)).toBe(true);
    expect(receiver.errors).toEqual([]);
  });

  it('credentials in the base URL are sent as Basic auth (Grafana Cloud, collectors behind a proxy)', async () => {
    const { reporter } = testReporter(
      { baseUrl: receiver.baseUrl.replace('//', '//tenant:p%40ss@') },
      opened,
    );
    reportSpans(reporter, 2);
    await until(() => reporter.stats().sent === 2, '2 spans');
    expect(receiver.requests[0]!.authorization).toBe(
      'Basic ' + Buffer.from('tenant:p@ss').toString('base64'),
    );
  });

  it('a base URL with a path prefix and a trailing slash posts to <base>/api/v2/spans', () => {
    const { reporter } = testReporter({ baseUrl: 'http://zipkin:9411/tempo/' }, opened);
    expect(reporter.config.endpoint.href).toBe('http://zipkin:9411/tempo/api/v2/spans');
  });
});

describe('zipkin reporter: a collector that fails', () => {
  it('500 on every try: bounded retries, then the batch is dropped and counted exactly', async () => {
    receiver.respond = () => 500;
    const { reporter, selfLog } = testReporter({ baseUrl: receiver.baseUrl, maxRetries: 2 }, opened);
    reportSpans(reporter, 30);
    await until(() => reporter.stats().dropped === 30, '30 drops');
    expect(receiver.requests.map((r) => r.status)).toEqual([500, 500, 500]); // 1 try + 2 retries
    expect(reporter.stats()).toMatchObject({ sent: 0, dropped: 30, droppedBy: { send_failed: 30 } });
    await reporter.close();
    expect(selfLog.lines.filter((l) => l.includes('zipkin: dropped'))).toEqual([
      '[WARN]  zipkin: dropped 30 spans since the last report (send_failed: 30); 30 dropped in total; last collector error: HTTP 500: failing with 500',
    ]);
  });

  it('500 twice, then 202: the retried batch arrives, nothing dropped', async () => {
    receiver.respond = (n) => (n < 2 ? 503 : 202);
    const { reporter } = testReporter({ baseUrl: receiver.baseUrl, maxRetries: 3 }, opened);
    reportSpans(reporter, 10);
    await until(() => receiver.spans.length === 10 && reporter.stats().sent === 10, '10 spans');
    expect(receiver.requests.map((r) => r.status)).toEqual([503, 503, 202]);
    expect(reporter.stats()).toMatchObject({ sent: 10, dropped: 0, requests: 3, failedRequests: 2 });
  });

  it('400: rejected without retrying, counted as rejected', async () => {
    receiver.respond = () => 400;
    const { reporter } = testReporter({ baseUrl: receiver.baseUrl }, opened);
    reportSpans(reporter, 7);
    await until(() => reporter.stats().dropped === 7, '7 drops');
    expect(receiver.requests).toHaveLength(1);
    expect(reporter.stats().droppedBy).toMatchObject({ rejected: 7 });
  });

  it('413: splits the batch until the halves fit, remembers the limit, loses nothing', async () => {
    receiver.maxBodyBytes = 3000;
    const { reporter } = testReporter({ baseUrl: receiver.baseUrl }, opened);
    reportSpans(reporter, 40);
    await until(() => receiver.spans.length === 40 && reporter.stats().sent === 40, '40 spans');
    expect(receiver.errors).toEqual([]);
    expect(receiver.requests[0]!.status).toBe(413);
    expect(reporter.stats()).toMatchObject({ sent: 40, dropped: 0 });
    // the next batch is cut to the learnt size at once: no 413 any more
    const before = receiver.requests.length;
    reportSpans(reporter, 20, {}, 100);
    await until(() => receiver.spans.length === 60 && reporter.stats().sent === 60, '60 spans');
    expect(receiver.requests.slice(before).every((r) => r.status === 202)).toBe(true);
  });

  it('413 for a single span: that span alone is dropped as too_large', async () => {
    receiver.maxBodyBytes = 3000;
    const { reporter } = testReporter({ baseUrl: receiver.baseUrl }, opened);
    reporter.onSpanReport(finishedSpan({ spanId: '0.1', tags: { big: 'x'.repeat(5000) } }));
    reportSpans(reporter, 3, {}, 2);
    await until(
      () => receiver.spans.length === 3 && reporter.stats().sent === 3 && reporter.stats().dropped === 1,
      '3 sent, 1 dropped',
    );
    expect(reporter.stats().droppedBy).toMatchObject({ too_large: 1 });
  });

  it('a span that cannot be encoded (a throwing tag getter) is counted as encoding_error; the others go out', async () => {
    const { reporter } = testReporter({ baseUrl: receiver.baseUrl }, opened);
    const tags = { ok: 'yes' };
    Object.defineProperty(tags, 'bad', {
      enumerable: true,
      get() {
        throw new Error('getter exploded');
      },
    });
    reporter.onSpanReport(finishedSpan({ spanId: '0.1', tags }));
    reportSpans(reporter, 2, {}, 2);
    await until(() => reporter.stats().sent === 2 && reporter.stats().dropped === 1, '2 sent, 1 dropped');
    expect(reporter.stats().droppedBy).toMatchObject({ encoding_error: 1 });
    expect(receiver.errors).toEqual([]);
  });

  it('a span larger than maxMessageBytes is dropped when encoded (never queued, never sent)', async () => {
    const { reporter } = testReporter({ baseUrl: receiver.baseUrl, maxMessageBytes: 2048 }, opened);
    reporter.onSpanReport(finishedSpan({ tags: { big: 'x'.repeat(3000) } }));
    await new Promise((r) => setImmediate(r)); // the encoding pass after the current I/O
    expect(receiver.requests).toHaveLength(0);
    expect(reporter.stats()).toMatchObject({
      reported: 1,
      dropped: 1,
      queuedSpans: 0,
      droppedBy: { too_large: 1 },
    });
  });

  it('hanging collector: each request times out, retries are bounded, the batch is counted', async () => {
    receiver.respond = () => 'hang';
    const { reporter } = testReporter({ baseUrl: receiver.baseUrl, timeoutMs: 150, maxRetries: 1 }, opened);
    reportSpans(reporter, 12);
    await until(() => reporter.stats().dropped === 12, '12 drops');
    expect(receiver.requests).toHaveLength(2);
    expect(reporter.stats().droppedBy).toMatchObject({ send_failed: 12 });
  });

  it('collector down (connection refused) and connection resets: counted as send_failed', async () => {
    const { reporter } = testReporter(
      { baseUrl: `http://127.0.0.1:${await deadPort()}`, maxRetries: 1 },
      opened,
    );
    reportSpans(reporter, 9);
    await until(() => reporter.stats().dropped === 9, '9 drops (refused)');
    receiver.respond = () => 'destroy';
    const second = testReporter({ baseUrl: receiver.baseUrl, maxRetries: 0 }, opened).reporter;
    reportSpans(second, 4);
    await until(() => second.stats().dropped === 4, '4 drops (reset)');
    expect(second.stats().droppedBy).toMatchObject({ send_failed: 4 });
  });

  it('an outage pauses sending between batches (doubling), and delivery resumes when the collector is back', async () => {
    receiver.respond = () => 'destroy';
    const { reporter, selfLog } = testReporter(
      { baseUrl: receiver.baseUrl, maxRetries: 0, retryBackoffMs: 10 },
      opened,
    );
    const t0 = Date.now();
    let i = 1;
    while (Date.now() - t0 < 400) {
      reportSpans(reporter, 2, {}, i);
      i += 2;
      await new Promise((r) => setTimeout(r, 10));
    }
    // without the pause every 20 ms tick would try a batch (about 20 requests)
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(receiver.requests.length).toBeLessThan(10);
    receiver.respond = () => 202;
    reportSpans(reporter, 3, {}, 1000);
    const ids = () => receiver.spans.map((s) => (s.tags as Record<string, string>)['origin.span.id']);
    await until(() => ids().includes('0.1002'), 'delivery resumed');
    await until(() => reporter.stats().queuedSpans + reporter.stats().inFlightSpans === 0, 'nothing left');
    expect(selfLog.lines.filter((l) => l.startsWith('[INFO]'))).toEqual([
      expect.stringMatching(/^\[INFO\] {2}zipkin: collector reachable again after \d+ failed batches$/),
    ]);
    const s = reporter.stats();
    expect(s.reported).toBe(s.sent + s.dropped);
  });

  it('bounded queue (spans and bytes): drops past the bounds are counted exactly, every span accounted for', async () => {
    receiver.respond = () => 'hang';
    const bySpans = testReporter(
      { baseUrl: receiver.baseUrl, maxQueueSpans: 10, timeoutMs: 60_000, closeTimeoutMs: 100 },
      opened,
    ).reporter;
    reportSpans(bySpans, 50);
    expect(bySpans.stats()).toMatchObject({
      reported: 50,
      queuedSpans: 10,
      dropped: 40,
      droppedBy: { queue_full: 40 },
    });

    const byBytes = testReporter(
      { baseUrl: receiver.baseUrl, maxQueueBytes: 8192, timeoutMs: 60_000, closeTimeoutMs: 100 },
      opened,
    ).reporter;
    reportSpans(byBytes, 100);
    expect(byBytes.stats()).toMatchObject({ queuedSpans: 100, dropped: 0 }); // not encoded yet
    await new Promise((r) => setImmediate(r));
    const s = byBytes.stats();
    expect(s.queuedSpans).toBeGreaterThan(5);
    expect(s.queuedSpans).toBeLessThan(100);
    expect(s.queuedBytes).toBeLessThanOrEqual(8192);
    expect(s.droppedBy.queue_full).toBe(100 - s.queuedSpans);
    // the hanging request holds its batch; new spans fill the queue again, the rest is dropped
    await until(() => bySpans.stats().inFlightSpans === 10, 'a batch in flight');
    reportSpans(bySpans, 25, {}, 100);
    expect(bySpans.stats()).toMatchObject({ reported: 75, inFlightSpans: 10, queuedSpans: 10, dropped: 55 });
    expect(balanced(bySpans.stats())).toBe(true);
    await bySpans.close();
    expect(bySpans.stats()).toMatchObject({
      sent: 0,
      dropped: 75,
      droppedBy: { queue_full: 55, closed: 20 },
    });
    expect(balanced(bySpans.stats())).toBe(true);
  });

  it('byte bound with large spans: the queue stops at maxQueueBytes long before the span bound; drops counted', async () => {
    // ~100 kB per span (a big tag): 10 fit in 1 MiB, the 11th would not. The span bound (10 000)
    // is never reached, so only the byte bound can stop the queue. No tick sends meanwhile
    // (a 10-minute interval, and 1 MiB never fills a 2 MiB message): the queue is what it holds.
    const maxQueueBytes = 1024 * 1024;
    const payload = 'x'.repeat(100_000);
    const { reporter, selfLog } = testReporter(
      { baseUrl: receiver.baseUrl, maxQueueBytes, flushIntervalMs: 600_000 },
      opened,
    );
    reportSpans(reporter, 50, { tags: { payload } });
    await until(() => reporter.stats().droppedBy.queue_full > 0, 'the encoding pass');
    const s = reporter.stats();
    expect(s).toMatchObject({ reported: 50, queuedSpans: 10, dropped: 40, droppedBy: { queue_full: 40 } });
    expect(s.queuedBytes).toBeLessThanOrEqual(maxQueueBytes);
    expect(s.queuedBytes).toBeGreaterThan(10 * payload.length);
    expect(s.queuedBytes + s.queuedBytes / 10).toBeGreaterThan(maxQueueBytes); // an 11th would not fit
    expect(receiver.requests).toHaveLength(0);

    // what was kept are the first 10, whole; the drops reach tracer-self.log as one summary
    await reporter.close();
    expect(receiver.errors).toEqual([]);
    expect(receiver.spans.map((sp) => (sp.tags as Record<string, string>)['origin.span.id'])).toEqual(
      Array.from({ length: 10 }, (_, i) => `0.${i + 1}`),
    );
    expect(receiver.spans.every((sp) => (sp.tags as Record<string, string>).payload === payload)).toBe(true);
    expect(reporter.stats()).toMatchObject({ sent: 10, dropped: 40, queuedSpans: 0, queuedBytes: 0 });
    expect(selfLog.lines.filter((l) => l.includes('zipkin: dropped'))).toEqual([
      expect.stringMatching(
        /zipkin: dropped 40 spans since the last report \(queue_full: 40\); 40 dropped in total/,
      ),
    ]);
  });

  it('drop reports in tracer-self.log are rate-limited: one summary per interval, not one per batch', async () => {
    const { reporter, selfLog } = testReporter(
      { baseUrl: `http://127.0.0.1:${await deadPort()}`, maxRetries: 0, reportIntervalMs: 60_000 },
      opened,
    );
    for (let round = 0; round < 5; round++) {
      reportSpans(reporter, 10, {}, round * 10 + 1);
      await until(() => reporter.stats().dropped === (round + 1) * 10, `round ${round}`);
    }
    await until(() => selfLog.lines.length === 1, 'the first report');
    await new Promise((r) => setTimeout(r, 100)); // several ticks
    expect(selfLog.lines).toHaveLength(1);
    await reporter.close(); // the rest is reported at close
    expect(selfLog.lines).toHaveLength(2);
    const total = selfLog.lines.map((l) => Number(/dropped (\d+) spans/.exec(l)![1])).reduce((a, b) => a + b);
    expect(total).toBe(50);
    expect(selfLog.lines[1]).toMatch(/50 dropped in total; last collector error: ECONNREFUSED/);
  });
});

describe('zipkin reporter: close()', () => {
  it('flushes what is queued before returning', async () => {
    const { reporter } = testReporter({ baseUrl: receiver.baseUrl, flushIntervalMs: 600_000 }, opened);
    reportSpans(reporter, 15);
    await reporter.close();
    expect(receiver.spans).toHaveLength(15);
    expect(reporter.stats()).toMatchObject({ sent: 15, dropped: 0 });
  });

  it('returns within its deadline when the collector hangs; the rest is counted as closed', async () => {
    receiver.respond = () => 'hang';
    const { reporter, selfLog } = testReporter(
      { baseUrl: receiver.baseUrl, timeoutMs: 60_000, closeTimeoutMs: 300, flushIntervalMs: 600_000 },
      opened,
    );
    reportSpans(reporter, 20);
    const t0 = Date.now();
    await reporter.close();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(reporter.stats()).toMatchObject({
      sent: 0,
      dropped: 20,
      droppedBy: { closed: 20 },
      inFlightSpans: 0,
    });
    expect(selfLog.lines.at(-1)).toMatch(/dropped 20 spans .*closed: 20/);
  });

  it('spans reported after close are counted as closed, never sent', async () => {
    const { reporter } = testReporter({ baseUrl: receiver.baseUrl }, opened);
    await reporter.close();
    reportSpans(reporter, 3);
    expect(reporter.stats()).toMatchObject({ reported: 3, dropped: 3, droppedBy: { closed: 3 } });
    expect(receiver.requests).toHaveLength(0);
  });

  it('enabled: false reports nothing and starts no timer', async () => {
    const { reporter } = testReporter({ baseUrl: receiver.baseUrl, enabled: false }, opened);
    reportSpans(reporter, 5);
    await reporter.flush();
    expect(reporter.stats()).toMatchObject({ reported: 0, sent: 0, dropped: 0 });
    expect(receiver.requests).toHaveLength(0);
  });
});
