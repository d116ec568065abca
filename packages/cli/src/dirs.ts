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

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * Maps what the user passed to tracelog directories. Each given directory may be:
 * - a `tracelog` directory itself;
 * - a log root (`~/logs`, the tracer's `logDir`), whose `tracelog/` is used;
 * - a root holding one log root per service (`demo-logs/gateway/tracelog`,
 *   `demo-logs/backend/tracelog`), all of which are used — so one `--dir` covers a whole demo;
 * and per-pid directories (`tracelog/<pid>/`, the tracer's `logPerPid`) are included.
 * With no directories, the default one.
 */
export async function resolveTraceLogDirs(dirs: readonly string[] | undefined): Promise<string[]> {
  const given = dirs && dirs.length > 0 ? dirs : [defaultTraceLogDir()];
  const out: string[] = [];
  const add = async (dir: string): Promise<void> => {
    if (out.includes(dir)) return;
    out.push(dir);
    for (const name of await subdirs(dir)) if (/^\d+$/.test(name)) out.push(path.join(dir, name));
  };
  for (const d of given) {
    const abs = path.resolve(d);
    const nested = path.join(abs, 'tracelog');
    if (path.basename(abs) === 'tracelog' || !(await isDirectory(nested))) await add(abs);
    else await add(nested);
    if (path.basename(abs) === 'tracelog') continue;
    for (const name of await subdirs(abs)) {
      const svc = path.join(abs, name, 'tracelog');
      if (name !== 'tracelog' && (await isDirectory(svc))) await add(svc);
    }
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
