import { ConfigError } from '../config/config-error';
import type { LogTypeDefinition } from './log-type';

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const COMMON_FIELDS = new Set([
  'time',
  'local.app',
  'traceId',
  'spanId',
  'span.kind',
  'result.code',
  'current.thread.name',
  'time.cost.milliseconds',
  'sys.baggage',
  'biz.baggage',
]);

/**
 * The log types plugins declared. Registering the same name twice with the same files is a no-op
 * (plugins may be set up more than once); a clash with different files is an error.
 */
export class LogTypeRegistry {
  private readonly types = new Map<string, LogTypeDefinition>();

  /** Adds a definition after validating file names and fields. */
  register(def: LogTypeDefinition): void {
    validate(def);
    const existing = this.types.get(def.name);
    if (existing) {
      if (existing.digestFile !== def.digestFile || existing.statFile !== def.statFile) {
        throw new ConfigError(
          `log type "${def.name}"`,
          def.digestFile,
          `the files it was first registered with (${existing.digestFile}, ${existing.statFile})`,
        );
      }
      return;
    }
    this.types.set(def.name, Object.freeze({ ...def }));
  }

  /** The definition of `name`, or undefined. */
  get(name: string): LogTypeDefinition | undefined {
    return this.types.get(name);
  }

  /** Every registered definition. */
  all(): LogTypeDefinition[] {
    return [...this.types.values()];
  }
}

function validate(def: LogTypeDefinition): void {
  if (!def || typeof def.name !== 'string' || !/^[a-z][a-z0-9_.-]{0,63}$/.test(def.name)) {
    throw new ConfigError(
      'logType.name',
      def?.name,
      'lowercase letters, digits, `_ . -`, starting with a letter',
    );
  }
  for (const f of [def.digestFile, def.statFile]) {
    if (typeof f !== 'string' || !FILE_NAME.test(f)) {
      throw new ConfigError(`logType "${def.name}" file`, f, 'a plain file name (letters, digits, `._-`)');
    }
  }
  if (typeof def.isSuccess !== 'function')
    throw new ConfigError(`logType "${def.name}".isSuccess`, def.isSuccess, 'a function');
  const seen = new Set<string>();
  for (const field of def.digestFields) {
    if (COMMON_FIELDS.has(field.key) || seen.has(field.key)) {
      throw new ConfigError(
        `logType "${def.name}" digest field`,
        field.key,
        'a name not already a common or earlier field',
      );
    }
    seen.add(field.key);
  }
}
