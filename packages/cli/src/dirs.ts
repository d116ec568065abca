import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Which family of files to list. */
export type LogKind = 'digest' | 'stat';

/** One log file found under a tracelog directory. */
export interface LogFile {
  /** Absolute path. */
  readonly path: string;
  /** Log type from the file name (`express` for `express-digest.log.2024-01-01`). */
  readonly logType: string;
  /** True for files under `shadow/` (load-test traffic). */
  readonly shadow: boolean;
}

// `<type>-digest.log`, optionally followed by a rolling suffix (`.2024-01-01`, `.2024-01-01_13`).
const FILE_RE = {
  digest: /^(.+)-digest\.log(?:\..+)?$/,
  stat: /^(.+)-stat\.log(?:\..+)?$/,
} as const;

/**
 * The default tracelog directory, resolved like the tracer does: `SOFA_TRACER_LOGGING_PATH`,
 * else `~/logs`, then `/tracelog`.
 */
export function defaultTraceLogDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env['SOFA_TRACER_LOGGING_PATH']?.trim() || path.join(os.homedir(), 'logs');
  return path.join(root, 'tracelog');
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Maps what the user passed to tracelog directories: a log root (`~/logs`) is accepted as well as
 * the `tracelog` directory itself, so `--dir ./demo-logs` and `--dir ./demo-logs/tracelog` agree.
 * With no directories, the default one.
 */
export async function resolveTraceLogDirs(dirs: readonly string[] | undefined): Promise<string[]> {
  const given = dirs && dirs.length > 0 ? dirs : [defaultTraceLogDir()];
  const out: string[] = [];
  for (const d of given) {
    const abs = path.resolve(d);
    const nested = path.join(abs, 'tracelog');
    const dir = path.basename(abs) !== 'tracelog' && (await isDirectory(nested)) ? nested : abs;
    if (!out.includes(dir)) out.push(dir);
  }
  return out;
}

async function listIn(dir: string, kind: LogKind, shadow: boolean, out: LogFile[]): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return; // a missing directory simply has no logs
  }
  names.sort();
  for (const name of names) {
    const m = FILE_RE[kind].exec(name);
    if (m && m[1]) out.push({ path: path.join(dir, name), logType: m[1], shadow });
  }
}

/**
 * Lists the digest (or stat) files of tracelog directories, rolled files and `shadow/` included.
 * Directories are taken as given (call {@link resolveTraceLogDirs} first for user input).
 */
export async function listLogFiles(dirs: readonly string[], kind: LogKind): Promise<LogFile[]> {
  const out: LogFile[] = [];
  for (const dir of dirs) {
    await listIn(dir, kind, false, out);
    await listIn(path.join(dir, 'shadow'), kind, true, out);
  }
  return out;
}
