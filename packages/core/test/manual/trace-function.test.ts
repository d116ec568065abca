import { join } from 'node:path';
import {
  createTracer,
  currentSpanId,
  currentTraceId,
  pinoMixin,
  traced,
  traceFunction,
  traceLogFields,
  winstonFormat,
} from '../../src';
import { readLines, tempDir } from '../helpers/fixtures';

describe('manual business spans (biz-digest.log) and app-log integrations', () => {
  it('traces sync and async functions, records errors (99) and lets them propagate unchanged', async () => {
    const dir = tempDir();
    const tracer = createTracer({ appName: 'biz', logDir: dir, statLogInterval: 3600 });
    const err = new Error('no stock');
    const parent = tracer.startSpan('req', { childOf: null });
    await tracer.withSpan(parent, async () => {
      expect(traceFunction('sum', () => 1 + 2, { tracer })).toBe(3);
      await expect(
        traceFunction(
          'reserve',
          async () => {
            throw err;
          },
          { tracer },
        ),
      ).rejects.toBe(err);
      const f = traced(
        function check(x: number) {
          if (x < 0) throw err;
          return currentSpanId();
        },
        undefined,
        { tracer },
      );
      expect(f(1)).toBe('0.3');
      expect(() => f(-1)).toThrow(err);
    });
    parent.finish();
    await tracer.close();
    const lines = readLines(join(dir, 'tracelog', 'biz-digest.log')).map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.spanId, l.method, l['result.code'], l.error])).toEqual([
      ['0.1', 'sum', '00', ''],
      ['0.2', 'reserve', '99', 'no stock'],
      ['0.3', 'check', '00', ''],
      ['0.4', 'check', '99', 'no stock'],
      ['0', '', '', ''],
    ]);
    const stats = readLines(join(dir, 'tracelog', 'biz-stat.log')).map((l) => JSON.parse(l));
    expect(stats.find((s) => s['stat.key'].method === 'check' && s.success === 'N')?.count).toBe(1);
  });

  it('gives pino, winston and plain code the current trace and span ids (MDC counterpart)', async () => {
    const tracer = createTracer({ appName: 'logs', logDir: tempDir() });
    const span = tracer.startSpan('x', { childOf: null });
    const mixin = pinoMixin();
    const javaNames = pinoMixin({ traceId: 'SOFA-TraceId', spanId: 'SOFA-SpanId' });
    const fmt = winstonFormat();
    expect(mixin()).toEqual({});
    expect(currentTraceId()).toBe('');
    expect(traceLogFields()).toBeUndefined();
    tracer.withSpan(span, () => {
      const ids = { traceId: span.context().traceId, spanId: '0' };
      expect(mixin()).toEqual(ids);
      expect(javaNames()).toEqual({ 'SOFA-TraceId': ids.traceId, 'SOFA-SpanId': '0' });
      expect(fmt.transform({ message: 'hi' })).toEqual({ message: 'hi', ...ids });
      expect(traceLogFields()).toEqual(ids);
      expect(currentTraceId()).toBe(ids.traceId);
    });
    await tracer.close();
  });
});
