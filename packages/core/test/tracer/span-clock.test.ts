import { performance } from 'node:perf_hooks';
import { createTracer } from '../../src';
import { epochMsAt } from '../../src/span/clock';
import { tempDir } from '../helpers/fixtures';

// Spans take their start time and the trace id's time part from one monotonic reading
// (span/clock.ts) instead of a Date.now() each: both must still be the wall-clock time.

it('epochMsAt(performance.now()) is the wall clock, as an integer', () => {
  for (let i = 0; i < 1000; i++) {
    const before = Date.now();
    const at = epochMsAt(performance.now());
    const after = Date.now();
    expect(Number.isInteger(at)).toBe(true);
    // the monotonic and wall clocks tick separately: allow one millisecond either side
    expect(at).toBeGreaterThanOrEqual(before - 1);
    expect(at).toBeLessThanOrEqual(after + 1);
  }
});

it('a root span starts at the wall-clock time that its trace id carries; an explicit startTime keeps the id current', async () => {
  const tracer = createTracer({ appName: 'clock', logDir: tempDir() });
  try {
    const before = Date.now();
    const span = tracer.startSpan('op', { childOf: null });
    const after = Date.now();
    expect(span.startTime).toBeGreaterThanOrEqual(before - 1);
    expect(span.startTime).toBeLessThanOrEqual(after + 1);
    // SOFA trace id: 8 hex chars of the IP, then the epoch ms (13 digits)
    expect(span.context().traceId.slice(8, 21)).toBe(String(span.startTime));

    const past = before - 3_600_000;
    const old = tracer.startSpan('replayed', { childOf: null, startTime: past });
    expect(old.startTime).toBe(past);
    const idMs = Number(old.context().traceId.slice(8, 21));
    expect(idMs).toBeGreaterThanOrEqual(before - 1);
    span.finish();
    old.finish();
    expect(span.endTime).toBeGreaterThanOrEqual(span.startTime);
  } finally {
    await tracer.close();
  }
});
