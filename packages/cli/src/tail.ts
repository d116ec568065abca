import { promises as fs } from 'node:fs';
import { listLogFiles, type LogFile } from './dirs';
import { toDigestRecord, type DigestRecord } from './records';

/** Options of {@link tailDigest}. */
export interface TailOptions {
  /** How many of the most recent existing lines to emit first (default 10). */
  readonly lines?: number;
  /** Keep watching for new lines until `signal` aborts (default true). */
  readonly follow?: boolean;
  /** Poll period while following, ms (default 500). Polling works on every filesystem. */
  readonly intervalMs?: number;
  /** Stops following. */
  readonly signal?: AbortSignal;
  /** Only lines of this trace. */
  readonly traceId?: string;
}

// Reading only the end of each file is enough for the initial lines and keeps memory flat on
// large digest files.
const INITIAL_WINDOW = 256 * 1024;

interface Cursor {
  file: LogFile;
  offset: number;
  partial: string;
}

async function readRange(path: string, start: number, end: number): Promise<string> {
  const fh = await fs.open(path, 'r');
  try {
    const buf = Buffer.alloc(end - start);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, start + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got).toString('utf8');
  } finally {
    await fh.close();
  }
}

function parse(lines: string[], file: LogFile, traceId: string | undefined, out: DigestRecord[]): void {
  for (const raw of lines) {
    const line = raw.trim();
    if (line.charCodeAt(0) !== 123 || (traceId !== undefined && !line.includes(traceId))) continue;
    try {
      const r = toDigestRecord(JSON.parse(line), file.logType, file.path);
      if (r !== null && (traceId === undefined || r.traceId === traceId)) out.push(r);
    } catch {
      // a malformed line is skipped; tail keeps going
    }
  }
}

async function advance(
  c: Cursor,
  traceId: string | undefined,
  out: DigestRecord[],
  fromEnd: boolean,
): Promise<void> {
  let size: number;
  try {
    size = (await fs.stat(c.file.path)).size;
  } catch {
    return;
  }
  if (size < c.offset) {
    c.offset = 0; // truncated or replaced by a new file after rolling
    c.partial = '';
  }
  if (size === c.offset) return;
  let start = c.offset;
  let skipFirst = false;
  if (fromEnd && size - start > INITIAL_WINDOW) {
    start = size - INITIAL_WINDOW;
    skipFirst = true;
  }
  const text = c.partial + (await readRange(c.file.path, start, size));
  c.offset = size;
  const lines = text.split('\n');
  c.partial = lines.pop() ?? '';
  if (skipFirst) lines.shift();
  parse(lines, c.file, traceId, out);
}

const byTime = (a: DigestRecord, b: DigestRecord): number => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0);

/**
 * Emits the most recent digest lines of the given tracelog directories, then (with `follow`) each
 * new line as it is written, across every digest file (new files included), until `signal`
 * aborts. Resolves when done.
 */
export async function tailDigest(
  dirs: readonly string[],
  onRecord: (record: DigestRecord) => void,
  options: TailOptions = {},
): Promise<void> {
  const cursors = new Map<string, Cursor>();
  const scan = async (initial: boolean): Promise<DigestRecord[]> => {
    const out: DigestRecord[] = [];
    for (const file of await listLogFiles(dirs, 'digest')) {
      let c = cursors.get(file.path);
      if (c === undefined) {
        c = { file, offset: 0, partial: '' };
        cursors.set(file.path, c);
      }
      await advance(c, options.traceId, out, initial);
    }
    return out.sort(byTime);
  };

  const first = await scan(true);
  const n = options.lines ?? 10;
  for (const r of n > 0 ? first.slice(-n) : []) onRecord(r);
  if (options.follow === false) return;

  const every = options.intervalMs ?? 500;
  const signal = options.signal;
  // A function, not a narrowed property read: the signal flips while we await.
  const aborted = (): boolean => signal?.aborted === true;
  while (!aborted()) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, every);
      signal?.addEventListener('abort', done, { once: true });
    });
    if (aborted()) break;
    for (const r of await scan(false)) onRecord(r);
  }
}
