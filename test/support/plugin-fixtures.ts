// Fixtures shared by every plugin's tests (express, http-client; koa, Nest, egg next): a real
// tracer on a temp dir, a server on port 0, polling. One copy, so a fix reaches every plugin.

import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createTracer, type ReadableSpan, type SofaTracer, type TracerOptions } from '@sofa-tracer/core';

/** A real tracer writing to a fresh temp dir, with a listener collecting finished spans. */
export interface TestTracer {
  tracer: SofaTracer;
  dir: string;
  spans: ReadableSpan[];
  /** Digest lines of `file`, parsed, after flushing. */
  digest(file: string): Promise<Record<string, unknown>[]>;
  /** Raw digest lines of `file`, after flushing. */
  rawDigest(file: string): Promise<string[]>;
  close(): Promise<void>;
}

export function makeTracer(appName: string, options: TracerOptions = {}, collect = true): TestTracer {
  const dir = mkdtempSync(join(tmpdir(), 'sofa-plugin-'));
  const tracer = createTracer({ appName, logDir: dir, statLogInterval: 3600, ...options });
  const spans: ReadableSpan[] = [];
  if (collect) tracer.addSpanListener({ onSpanReport: (s) => spans.push(s) });
  const rawDigest = async (file: string): Promise<string[]> => {
    await tracer.flush();
    const p = join(dir, 'tracelog', file);
    if (!existsSync(p)) return [];
    return readFileSync(p, 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.length > 0);
  };
  return {
    tracer,
    dir,
    spans,
    rawDigest,
    digest: async (file) => (await rawDigest(file)).map((l) => JSON.parse(l) as Record<string, unknown>),
    close: async () => {
      await tracer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Listens on port 0; returns the base URL and a closer that also ends keep-alive sockets. */
export async function listen(
  server: Server,
): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Waits until `predicate` holds (polling every 5 ms, up to 5 s). */
export async function until(predicate: () => boolean, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Keys of an HTTP server plugin's digest line, in order: the common SOFATracer fields, Java Spring
 * MVC's plugin fields in Java's order, `route`, then the baggage (every `createHttpServerLogType`).
 */
export const HTTP_SERVER_DIGEST_KEYS: readonly string[] = [
  'time',
  'local.app',
  'traceId',
  'spanId',
  'span.kind',
  'result.code',
  'current.thread.name',
  'time.cost.milliseconds',
  'request.url',
  'method',
  'req.size.bytes',
  'resp.size.bytes',
  'error',
  'route',
  'sys.baggage',
  'biz.baggage',
];
