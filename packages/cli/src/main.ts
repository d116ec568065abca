import { flag, intFlag, parseArgs, type ParsedArgs } from './args';
import { resolveTraceLogDirs } from './dirs';
import { readDigestLines, readStatLines } from './read';
import { formatSpanLine, renderTree } from './render';
import { renderStats, summarizeStats } from './stats';
import { tailDigest } from './tail';
import { listTraces, renderTraces } from './traces';
import { buildTraceTree, type TraceTreeNode } from './tree';

/** Where the CLI writes; `process.stdout`/`process.stderr` or anything with `write`. */
export interface CliIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  /** Stops `tail` (the launcher aborts it on SIGINT). */
  readonly signal?: AbortSignal;
}

/** The `--help` text. */
export const USAGE = `Usage: sofa-tracer <command> [options]

Commands:
  tree [traceId]   one trace as an indented tree of spans, across files and services
                   (without an id: the most recent trace)
  traces           recent trace ids with span counts, most recent first
  stats            stat logs summed per key
  tail             the latest digest lines, then each new one as it is written

Options:
  -d, --dir D      tracelog directory or log root; repeat for several services
                   (default: $SOFA_TRACER_LOGGING_PATH/tracelog, else ~/logs/tracelog)
  --json           machine-readable output (tree, traces, stats)
  --ascii          tree: draw with ASCII characters
  -l, --limit N    traces: at most N (default 20)
  -n, --lines N    tail: how many existing lines first (default 10)
  --no-follow      tail: print and exit
  --trace ID       tail: only this trace
  --interval MS    tail: poll period (default 500)
  -q, --quiet      do not warn about skipped (legacy or malformed) lines
`;

interface NodeJson {
  spanId: string;
  kind: string;
  localApp: string;
  logType: string;
  missingParent?: string;
  fields: Readonly<Record<string, unknown>>;
  children: NodeJson[];
}

function toJson(n: TraceTreeNode): NodeJson {
  const out: NodeJson = {
    spanId: n.record.spanId,
    kind: n.record.kind,
    localApp: n.record.localApp,
    logType: n.record.logType,
    fields: n.record.fields,
    children: n.children.map(toJson),
  };
  if (n.missingParent !== undefined) out.missingParent = n.missingParent;
  return out;
}

async function run(cmd: string, args: ParsedArgs, io: CliIo): Promise<number> {
  const dirs = await resolveTraceLogDirs(args.flags.get('dir'));
  const json = flag(args, 'json') === 'true';
  const onWarning =
    flag(args, 'quiet') === 'true' ? undefined : (m: string) => io.stderr.write(`warning: ${m}\n`);

  switch (cmd) {
    case 'tree': {
      let traceId = args.positionals[1];
      const records = await readDigestLines(
        dirs,
        traceId !== undefined ? { traceId, onWarning } : { onWarning },
      );
      if (traceId === undefined) {
        traceId = listTraces(records, 1)[0]?.traceId;
        if (traceId === undefined) {
          io.stderr.write(`no digest lines under ${dirs.join(', ')}\n`);
          return 1;
        }
      }
      const tree = buildTraceTree(records, traceId);
      if (tree.spanCount === 0) {
        io.stderr.write(`no spans of trace ${traceId} under ${dirs.join(', ')}\n`);
        return 1;
      }
      if (json) {
        const doc = {
          traceId: tree.traceId,
          spanCount: tree.spanCount,
          apps: tree.apps,
          roots: tree.roots.map(toJson),
        };
        io.stdout.write(JSON.stringify(doc, null, 2) + '\n');
      } else {
        io.stdout.write(renderTree(tree, { ascii: flag(args, 'ascii') === 'true' }));
      }
      return 0;
    }
    case 'traces': {
      const traces = listTraces(await readDigestLines(dirs, { onWarning }), intFlag(args, 'limit', 20));
      io.stdout.write(json ? JSON.stringify(traces, null, 2) + '\n' : renderTraces(traces));
      return 0;
    }
    case 'stats': {
      const rows = summarizeStats(await readStatLines(dirs, { onWarning }));
      io.stdout.write(json ? JSON.stringify(rows, null, 2) + '\n' : renderStats(rows));
      return 0;
    }
    case 'tail': {
      const traceId = flag(args, 'trace');
      await tailDigest(dirs, (r) => io.stdout.write(`${r.time} ${r.traceId} ${formatSpanLine(r)}\n`), {
        lines: intFlag(args, 'lines', 10),
        intervalMs: intFlag(args, 'interval', 500),
        follow: flag(args, 'no-follow') !== 'true',
        ...(traceId !== undefined ? { traceId } : {}),
        ...(io.signal !== undefined ? { signal: io.signal } : {}),
      });
      return 0;
    }
    default:
      io.stderr.write(`unknown command "${cmd}"\n\n${USAGE}`);
      return 2;
  }
}

/**
 * Runs the `sofa-tracer` command line and resolves with its exit code (0 ok, 1 nothing found,
 * 2 usage error). Never calls `process.exit`, so tests and embedders can call it directly.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const cmd = args.positionals[0];
  if (cmd === undefined || cmd === 'help' || flag(args, 'help') === 'true') {
    (cmd === undefined && flag(args, 'help') !== 'true' ? io.stderr : io.stdout).write(USAGE);
    return cmd === undefined && flag(args, 'help') !== 'true' ? 2 : 0;
  }
  try {
    return await run(cmd, args, io);
  } catch (e) {
    io.stderr.write(`sofa-tracer: ${(e as Error).message}\n`);
    return 2;
  }
}
