import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTracer, type Tracer } from '@sofa-tracer/core';

/** A real core tracer writing into a temp dir; `cleanup()` closes it and removes the dir. */
export function tempTracer(appName = 'shop'): { tracer: Tracer; dir: string; cleanup(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-tracer-'));
  const tracer = createTracer({ appName, logDir: dir, statLogInterval: 3600 });
  return {
    tracer,
    dir,
    async cleanup() {
      await tracer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts and finishes one HTTP server span the way the HTTP server helper does. */
export function serverSpan(tracer: Tracer, route: string, status: number, method = 'GET'): void {
  const span = tracer.startSpan(method + ' ' + route, {
    kind: 'server',
    tags: { method, route, 'request.url': 'http://127.0.0.1' + route },
  });
  span.setResultCode(status);
  span.finish();
}
