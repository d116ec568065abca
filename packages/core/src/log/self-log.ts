/**
 * `tracer-self.log`: where the tracer reports its own troubles (drops, write errors, bad headers,
 * invalid configuration). Calls never throw and never block the caller.
 * Line format as Java: `<yyyy-MM-dd HH:mm:ss.SSS>[ERROR] msg`, `[WARN]  msg`, `[INFO]  msg`.
 */
export interface SelfLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
  /** Resolves when everything logged so far is on disk (or given up on). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** A self-log that forgets everything: for tests and for `selfLog: false`. */
export const NOOP_SELF_LOG: SelfLog = {
  info() {},
  warn() {},
  error() {},
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
};
