import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A digest line with the Java common fields in order, then plugin fields, then baggage. */
export function digest(
  common: {
    time: string;
    app: string;
    traceId: string;
    spanId: string;
    kind: string;
    code: string;
    cost: string;
  },
  plugin: Record<string, string | number>,
): string {
  return JSON.stringify({
    time: common.time,
    'local.app': common.app,
    traceId: common.traceId,
    spanId: common.spanId,
    'span.kind': common.kind,
    'result.code': common.code,
    'current.thread.name': 'main',
    'time.cost.milliseconds': common.cost,
    ...plugin,
    'sys.baggage': '',
    'biz.baggage': '',
  });
}

const created: string[] = [];

/** A fresh temp directory, removed by {@link removeTempDirs}. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every directory {@link tempDir} created (call from `afterAll`). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes `lines` (CRLF-terminated, as Java does) to `<root>/tracelog/<name>`; returns the tracelog dir. */
export function writeLog(root: string, name: string, lines: string[]): string {
  const dir = join(root, 'tracelog');
  mkdirSync(dirname(join(dir, name)), { recursive: true });
  writeFileSync(join(dir, name), lines.map((l) => l + '\r\n').join(''));
  return dir;
}

/** Collects what the CLI writes. */
export function captureIo(signal?: AbortSignal): {
  out: string[];
  err: string[];
  io: { stdout: { write(s: string): void }; stderr: { write(s: string): void }; signal?: AbortSignal };
} {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { write: (s: string) => void out.push(s) },
      stderr: { write: (s: string) => void err.push(s) },
      ...(signal ? { signal } : {}),
    },
  };
}
