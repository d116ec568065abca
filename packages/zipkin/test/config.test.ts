import { ConfigError } from '@sofa-tracer/core';
import { enableZipkin, resolveZipkinConfig } from '@sofa-tracer/zipkin';
import { makeTracer } from '../../../test/support/plugin-fixtures';
import { startZipkinReceiver } from './support/zipkin-receiver';

describe('zipkin configuration: options → SOFA_TRACER_ZIPKIN_* env → defaults', () => {
  it("defaults are Java's: localhost:9411, 10 000 spans, 2 MiB messages, 1 s batches, no gzip", () => {
    const c = resolveZipkinConfig({}, {});
    expect(c).toMatchObject({
      baseUrl: 'http://localhost:9411',
      enabled: true,
      gzip: false,
      maxQueueSpans: 10_000,
      maxQueueBytes: 8 * 1024 * 1024,
      maxMessageBytes: 2 * 1024 * 1024,
      flushIntervalMs: 1000,
      timeoutMs: 5000,
      maxRetries: 2,
      closeTimeoutMs: 3000,
    });
    expect(c.endpoint.href).toBe('http://localhost:9411/api/v2/spans');
  });

  it('reads the environment, and options win over it', () => {
    const env = {
      SOFA_TRACER_ZIPKIN_BASE_URL: 'https://zipkin.example:9411',
      SOFA_TRACER_ZIPKIN_ENABLED: 'false',
      SOFA_TRACER_ZIPKIN_GZIPPED: 'true',
      SOFA_TRACER_ZIPKIN_QUEUE_SPANS: '500',
      SOFA_TRACER_ZIPKIN_TIMEOUT_MS: '800',
    };
    expect(resolveZipkinConfig({}, env)).toMatchObject({
      baseUrl: 'https://zipkin.example:9411',
      enabled: false,
      gzip: true,
      maxQueueSpans: 500,
      timeoutMs: 800,
    });
    expect(resolveZipkinConfig({ baseUrl: 'http://other:1', enabled: true, gzip: false }, env)).toMatchObject(
      {
        baseUrl: 'http://other:1',
        enabled: true,
        gzip: false,
      },
    );
  });

  it.each([
    [{ baseUrl: 'ftp://zipkin' }, {}, /invalid baseUrl: "ftp:\/\/zipkin"; accepted: an http\(s\) URL/],
    [{ baseUrl: 'not a url' }, {}, /invalid baseUrl/],
    [
      {},
      { SOFA_TRACER_ZIPKIN_GZIPPED: 'maybe' },
      /invalid gzip: "maybe"; accepted: true, false, 1, 0, yes, no/,
    ],
    [{ maxQueueSpans: 0 }, {}, /invalid maxQueueSpans: 0; accepted: an integer from 1 to 10000000/],
    [{ timeoutMs: 1.5 }, {}, /invalid timeoutMs/],
    [{ baseUrl: 'http://z', gzipped: true }, {}, /invalid zipkin option name "gzipped"/],
  ])(
    'rejects %j (env %j) at start-up, naming the option and the accepted values',
    (options, env, message) => {
      expect(() => resolveZipkinConfig(options as never, env)).toThrow(ConfigError);
      expect(() => resolveZipkinConfig(options as never, env)).toThrow(message);
    },
  );
});

describe('enableZipkin()', () => {
  it('attaches to the tracer; close() detaches before flushing', async () => {
    const receiver = await startZipkinReceiver();
    const t = makeTracer('enable-app', {}, false);
    try {
      const zipkin = enableZipkin({ tracer: t.tracer, baseUrl: receiver.baseUrl, flushIntervalMs: 600_000 });
      t.tracer.startSpan('job', { kind: 'server' }).finish();
      expect(zipkin.stats().reported).toBe(1);
      await zipkin.close();
      expect(receiver.spans).toHaveLength(1);
      t.tracer.startSpan('after close').finish();
      expect(zipkin.stats()).toMatchObject({ reported: 1, sent: 1, dropped: 0 });
    } finally {
      await t.close();
      await receiver.close();
    }
  });

  it('enabled: false attaches nothing', async () => {
    const t = makeTracer('disabled-app', {}, false);
    try {
      const zipkin = enableZipkin({ tracer: t.tracer, enabled: false });
      t.tracer.startSpan('job', { kind: 'server' }).finish();
      expect(zipkin.stats().reported).toBe(0);
      await zipkin.close();
    } finally {
      await t.close();
    }
  });
});
