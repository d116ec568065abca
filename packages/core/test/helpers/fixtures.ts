import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SelfLog } from '../../src/log/self-log';

/** A fresh temp directory for one test. */
export function tempDir(prefix = 'sofa-core-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Lines of a log file (CRLF or LF), empty when the file does not exist. */
export function readLines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
}

/** A self-log that keeps its lines in memory, level-prefixed like the file one. */
export class MemorySelfLog implements SelfLog {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push('[INFO]  ' + m);
  }
  warn(m: string): void {
    this.lines.push('[WARN]  ' + m);
  }
  error(m: string, e?: unknown): void {
    this.lines.push(
      '[ERROR] ' +
        m +
        (typeof (e as Error | undefined)?.message === 'string' ? ': ' + (e as Error).message : ''),
    );
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
