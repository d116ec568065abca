import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { listLogFiles, type LogFile, type LogKind } from './dirs';
import { toDigestRecord, toStatRecord, type DigestRecord, type StatRecord } from './records';

/** Options of {@link readDigestLines} and {@link readStatLines}. */
export interface ReadOptions {
  /** Only lines of this trace id (a cheap substring test runs before JSON parsing). */
  readonly traceId?: string;
  /**
   * Receives one message per file that had lines which could not be read: legacy comma-format
   * lines (skipped; the CLI reads the JSON format only) and malformed or truncated JSON.
   * Default: ignore.
   */
  readonly onWarning?: (message: string) => void;
}

/** Parsed object → record; `null` = not a valid line (counted), `undefined` = filtered out. */
type Convert<R> = (obj: unknown, f: LogFile) => R | null | undefined;

async function readFileLines<R>(
  file: LogFile,
  filter: string | undefined,
  convert: Convert<R>,
  out: R[],
  onWarning: ((message: string) => void) | undefined,
): Promise<void> {
  let legacy = 0;
  let malformed = 0;
  const stream = createReadStream(file.path, { encoding: 'utf8' });
  // A file removed between listing and reading (rolled away, retention) is just skipped.
  const opened = await new Promise<boolean>((resolve) => {
    stream.once('open', () => resolve(true));
    stream.once('error', () => resolve(false));
  });
  if (!opened) return;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    if (filter !== undefined && !line.includes(filter)) continue;
    if (line.charCodeAt(0) !== 123 /* { */) {
      legacy++;
      continue;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      malformed++;
      continue;
    }
    const rec = convert(obj, file);
    if (rec === null) malformed++;
    else if (rec !== undefined) out.push(rec);
  }
  if (onWarning !== undefined) {
    if (legacy > 0)
      onWarning(`${file.path}: skipped ${legacy} legacy (comma-format) line(s); only JSON lines are read`);
    if (malformed > 0) onWarning(`${file.path}: skipped ${malformed} malformed line(s)`);
  }
}

async function readAll<R>(
  dirs: string | readonly string[],
  kind: LogKind,
  options: ReadOptions,
  convert: Convert<R>,
): Promise<R[]> {
  const files = await listLogFiles(typeof dirs === 'string' ? [dirs] : dirs, kind);
  const out: R[] = [];
  for (const f of files) await readFileLines(f, options.traceId, convert, out, options.onWarning);
  return out;
}

/**
 * Reads every JSON digest line of the `*-digest.log*` files (rolled and `shadow/` included) in the
 * given tracelog directories, in file order. With `traceId`, only that trace's lines.
 */
export function readDigestLines(
  dirs: string | readonly string[],
  options: ReadOptions = {},
): Promise<DigestRecord[]> {
  return readAll(dirs, 'digest', options, (obj, f) => {
    const rec = toDigestRecord(obj, f.logType, f.path);
    // The substring pre-filter can also hit a trace id inside a URL or baggage; check exactly.
    return rec !== null && options.traceId !== undefined && rec.traceId !== options.traceId ? undefined : rec;
  });
}

/** Reads every JSON stat line of the `*-stat.log*` files in the given tracelog directories. */
export function readStatLines(
  dirs: string | readonly string[],
  options: ReadOptions = {},
): Promise<StatRecord[]> {
  return readAll(dirs, 'stat', { onWarning: options.onWarning }, (obj, f) =>
    toStatRecord(obj, f.logType, f.path),
  );
}
