'use strict';
// Variant "otel": the OpenTelemetry Node SDK with the http and express instrumentations, a
// BatchSpanProcessor (defaults) and an exporter that appends spans as JSON lines to a file —
// the same kind of work the sofa variant does (spans → file), so the comparison is fair.
// The SDK must start before express and http are required.
process.env.OTEL_METRICS_EXPORTER = 'none';
process.env.OTEL_LOGS_EXPORTER = 'none';
process.env.OTEL_TRACES_EXPORTER = 'none';
const fs = require('node:fs');
const path = require('node:path');
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');

// ExportResultCode of @opentelemetry/core (a transitive package, so not required directly).
const SUCCESS = 0;
const FAILED = 1;
const micros = (hr) => hr[0] * 1e6 + Math.round(hr[1] / 1e3);

/** Appends finished spans as JSON lines to a file, asynchronously. */
class FileSpanExporter {
  constructor(file) {
    this.file = file;
    this.stream = fs.createWriteStream(file, { flags: 'a' });
    this.exported = 0;
  }

  export(spans, done) {
    let out = '';
    for (const s of spans) {
      const ctx = s.spanContext();
      out +=
        JSON.stringify({
          traceId: ctx.traceId,
          id: ctx.spanId,
          parentId: s.parentSpanContext ? s.parentSpanContext.spanId : undefined,
          name: s.name,
          kind: s.kind,
          timestamp: micros(s.startTime),
          duration: micros(s.duration),
          attributes: s.attributes,
          status: s.status,
        }) + '\n';
    }
    this.exported += spans.length;
    this.stream.write(out, (err) => done({ code: err ? FAILED : SUCCESS }));
  }

  shutdown() {
    return new Promise((resolve) => this.stream.end(resolve));
  }

  forceFlush() {
    return Promise.resolve();
  }
}

const exporter = new FileSpanExporter(path.join(process.env.BENCH_LOG_DIR, 'otel-spans.jsonl'));
const sdk = new NodeSDK({
  serviceName: 'bench-otel',
  spanProcessors: [new BatchSpanProcessor(exporter)],
  instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()],
});
sdk.start();

const { serve } = require('../common');

serve(require('express'), undefined, async () => {
  await sdk.shutdown();
  return { exportedSpans: exporter.exported };
});
