/** Thrown by `init()` for an invalid option: names the option, its source and the accepted values. */
export class ConfigError extends Error {
  /**
   * @param option the option name (`samplerPercentage`) or environment variable.
   * @param value the rejected value.
   * @param accepted what would have been accepted.
   */
  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly accepted: string,
  ) {
    super(`sofa-tracer: invalid ${option}: ${describe(value)}; accepted: ${accepted}`);
    this.name = 'ConfigError';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
