import { io, type IoStat } from './io-thread';

/** What {@link rollShared} did. */
export type RollOutcome =
  /** This process rolled the file: it now has the rolled name, the active path is gone. */
  | { readonly rolled: true; readonly target: string }
  /** Another process rolled it already (or the path names another file now): nothing to do. */
  | { readonly rolled: false };

const MAX_SUFFIX = 1000;
/** How long a process that lost the roll waits for the winner to unlink the active path. */
const WAIT_FOR_WINNER_MS = 2000;

function same(a: IoStat | undefined, ino: number, dev: number): boolean {
  return a !== undefined && a.ino === ino && a.dev === dev;
}

/**
 * Rolls the active file `file` — the file (`ino`, `dev`) this writer wrote — to `target`, safely
 * when several processes write the same file (node cluster, pm2, egg workers): exactly one of
 * them rolls it, no process ever renames a file another process already started anew, and lines
 * still being appended by the others land in the rolled file (they hold it open).
 *
 * The claim is a hard link: `link(file, candidate)` creates the rolled name atomically and fails
 * with EEXIST for everybody else. The winner then unlinks the active path, which still names the
 * file (only a link winner ever unlinks it). A loser that finds the candidate naming the same file
 * knows it was rolled; a candidate naming another file (a rolled file of an earlier run) is
 * skipped for `target.1`, `target.2`… Where hard links are not supported it falls back to a
 * rename guarded by an inode check (the single-process behaviour).
 */
/**
 * Another process claimed the roll: wait (briefly) until it has unlinked the active path, so this
 * process does not reopen the rolled file under the active name and write the new period into it.
 */
async function lost(owner: object, file: string, ino: number, dev: number): Promise<RollOutcome> {
  const until = Date.now() + WAIT_FOR_WINNER_MS;
  while (Date.now() < until) {
    const st = await io(owner, 'stat', file).catch(() => undefined);
    if (!same(st, ino, dev)) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  return { rolled: false };
}

export async function rollShared(
  owner: object,
  file: string,
  ino: number,
  dev: number,
  target: string,
): Promise<RollOutcome> {
  const stat = (p: string): Promise<IoStat | undefined> => io(owner, 'stat', p).catch(() => undefined);
  if (!same(await stat(file), ino, dev)) return { rolled: false };
  for (let n = 0; n < MAX_SUFFIX; n++) {
    const candidate = n === 0 ? target : `${target}.${n}`;
    try {
      await io(owner, 'link', file, candidate);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'EEXIST') {
        if (same(await stat(candidate), ino, dev)) return lost(owner, file, ino, dev); // another process won
        continue; // an older file of that name: try the next suffix
      }
      if (code === 'ENOENT') return { rolled: false }; // the path went away: rolled meanwhile
      if (
        code === 'EPERM' ||
        code === 'ENOTSUP' ||
        code === 'EOPNOTSUPP' ||
        code === 'EXDEV' ||
        code === 'ENOSYS'
      )
        return renameFallback(owner, file, ino, dev, target, stat);
      throw e;
    }
    // The path may have been rolled and recreated between the check and the link: then the
    // link names someone else's new file; take it back.
    if (!same(await stat(candidate), ino, dev)) {
      await io(owner, 'unlink', candidate).catch(() => undefined);
      return { rolled: false };
    }
    await io(owner, 'unlink', file);
    return { rolled: true, target: candidate };
  }
  return { rolled: false };
}

async function renameFallback(
  owner: object,
  file: string,
  ino: number,
  dev: number,
  target: string,
  stat: (p: string) => Promise<IoStat | undefined>,
): Promise<RollOutcome> {
  let candidate = target;
  for (let n = 1; n < MAX_SUFFIX && (await stat(candidate)) !== undefined; n++) candidate = `${target}.${n}`;
  if (!same(await stat(file), ino, dev)) return { rolled: false };
  await io(owner, 'rename', file, candidate);
  return { rolled: true, target: candidate };
}
