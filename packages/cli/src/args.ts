/** Parsed command line: positionals and flags (repeatable flags keep every value). */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string[]>;
}

// Flags that never take a value.
const BOOLEAN_FLAGS = new Set(['help', 'json', 'ascii', 'no-follow', 'follow', 'quiet']);
const SHORT: Record<string, string> = {
  d: 'dir',
  n: 'lines',
  h: 'help',
  l: 'limit',
  f: 'follow',
  q: 'quiet',
};

/**
 * Parses `--flag value`, `--flag=value`, `-d value` and boolean `--json`; a bare `--` ends flags.
 * @throws Error naming the flag when a value is missing.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  const add = (k: string, v: string): void => {
    const list = flags.get(k);
    if (list) list.push(v);
    else flags.set(k, [v]);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let value: string | undefined;
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (eq >= 0) value = a.slice(eq + 1);
    } else if (/^-[a-zA-Z]$/.test(a)) {
      name = SHORT[a.slice(1)] ?? a.slice(1);
    } else {
      positionals.push(a);
      continue;
    }
    if (BOOLEAN_FLAGS.has(name)) {
      add(name, value ?? 'true');
      continue;
    }
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined) throw new Error(`option --${name} needs a value`);
      value = next;
      i++;
    }
    add(name, value);
  }
  return { positionals, flags };
}

/** Last value of a flag. */
export function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return v === undefined ? undefined : v[v.length - 1];
}

/** A flag's value as a non-negative integer, or the default. @throws Error when not an integer. */
export function intFlag(args: ParsedArgs, name: string, def: number): number {
  const v = flag(args, name);
  if (v === undefined) return def;
  if (!/^\d+$/.test(v)) throw new Error(`option --${name} must be a non-negative integer, got "${v}"`);
  return Number(v);
}
