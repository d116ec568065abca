const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Opt-in: on SIGTERM/SIGINT/beforeExit, flush and close. A signal listener stops Node's default
 * exit, so when ours was the only listener the signal is raised again after closing (the process
 * then exits as it would have); when the app has its own listeners, exiting stays the app's call.
 * Returns a function that removes the hooks.
 */
export function installShutdownHooks(close: () => Promise<void>): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    const alone = process.listenerCount(signal) === 1;
    remove();
    close()
      .catch(() => undefined)
      .finally(() => {
        if (alone) process.kill(process.pid, signal);
      });
  };
  const onBeforeExit = () => {
    remove();
    void close();
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('beforeExit', onBeforeExit);
  function remove(): void {
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    process.removeListener('beforeExit', onBeforeExit);
  }
  return remove;
}
