import { AsyncLogWriter, NOOP_SELF_LOG } from '../../src/log';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh temp directory per test, removed by `removeTempDirs()`. */
const dirs: string[] = [];

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sofa-log-'));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export function read(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

/** Polls `cond` every 10 ms until it holds or `timeoutMs` passes (then throws). */
export async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export { MemorySelfLog } from '../helpers/fixtures';

/** A mutable clock for rolling tests. */
export class Clock {
  constructor(public t: number) {}
  readonly now = (): number => this.t;
}

/** An AsyncLogWriter with the tests' defaults (daily, no retention, 1000 lines, LF); `extra` overrides. */
export function makeWriter(
  file: string,
  extra: Partial<ConstructorParameters<typeof AsyncLogWriter>[0]> = {},
): AsyncLogWriter {
  return new AsyncLogWriter({
    file,
    rolling: 'daily',
    retentionMs: 0,
    capacity: 1000,
    lineSeparator: '\n',
    discardReportThreshold: 500,
    logDiscardedIds: false,
    selfLog: NOOP_SELF_LOG,
    ...extra,
  });
}
