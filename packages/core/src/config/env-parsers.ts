import { ConfigError } from './config-error';

// Small typed readers for `option ?? env ?? default`, each naming what it accepts on failure.

/** A boolean from an option or an env string (`true/false/1/0/yes/no`). */
export function readBoolean(
  name: string,
  option: unknown,
  env: string | undefined,
  fallback: boolean,
): boolean {
  if (option !== undefined) {
    if (typeof option !== 'boolean') throw new ConfigError(name, option, 'true or false');
    return option;
  }
  if (env === undefined || env === '') return fallback;
  const v = env.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw new ConfigError(name, env, 'true, false, 1, 0, yes, no');
}

/** A finite number within [min, max] (integer when asked). */
export function readNumber(
  name: string,
  option: unknown,
  env: string | undefined,
  fallback: number,
  min: number,
  max: number,
  integer: boolean,
): number {
  let raw: unknown = option;
  if (raw === undefined && env !== undefined && env.trim() !== '') raw = Number(env.trim());
  if (raw === undefined) return fallback;
  const accepted = `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < min || raw > max) {
    throw new ConfigError(name, option !== undefined ? option : env, accepted);
  }
  if (integer && !Number.isInteger(raw)) throw new ConfigError(name, option ?? env, accepted);
  return raw;
}

/** One of a fixed set of strings. */
export function readEnum<T extends string>(
  name: string,
  option: unknown,
  env: string | undefined,
  fallback: T,
  values: readonly T[],
  aliases: Readonly<Record<string, T>> = {},
): T {
  const raw = option !== undefined ? option : env !== undefined && env.trim() !== '' ? env.trim() : undefined;
  if (raw === undefined) return fallback;
  if (typeof raw === 'string') {
    if ((values as readonly string[]).includes(raw)) return raw as T;
    if (Object.prototype.hasOwnProperty.call(aliases, raw)) return aliases[raw] as T;
  }
  throw new ConfigError(name, raw, [...values, ...Object.keys(aliases)].join(', '));
}

/** A list of values from a fixed set (an array option, or a comma list in env). */
export function readList<T extends string>(
  name: string,
  option: unknown,
  env: string | undefined,
  fallback: readonly T[],
  values: readonly T[] | undefined,
): readonly T[] {
  let raw: unknown = option;
  if (raw === undefined && env !== undefined && env.trim() !== '') {
    raw = env
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  if (raw === undefined) return fallback;
  const accepted = values ? `a list of: ${values.join(', ')}` : 'a list of names';
  if (!Array.isArray(raw)) throw new ConfigError(name, raw, accepted);
  for (const v of raw) {
    if (typeof v !== 'string' || (values && !(values as readonly string[]).includes(v))) {
      throw new ConfigError(name, raw, accepted);
    }
  }
  return Object.freeze([...new Set(raw as T[])]);
}

/** A `key=value,key2=value2` map from env, or an object option. */
export function readMap(
  name: string,
  option: unknown,
  env: string | undefined,
): Record<string, string | number> {
  if (option !== undefined) {
    if (option === null || typeof option !== 'object' || Array.isArray(option)) {
      throw new ConfigError(name, option, 'an object of file name → value');
    }
    return { ...(option as Record<string, string | number>) };
  }
  const out: Record<string, string | number> = {};
  if (env === undefined || env.trim() === '') return out;
  for (const part of env.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ConfigError(name, env, 'a comma list of file=value pairs');
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
