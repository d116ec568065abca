// A real egg cluster for the tests: master → agent + app workers (separate processes), started
// the way egg-scripts does (fixtures/start-cluster.js), on the built plugin (dist).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FIXTURES, loadEgg, rawRequest, type EggMajor } from './egg-env';

const CLUSTER_MODULE: Record<EggMajor, string> = { egg3: 'egg-cluster', egg4: '@eggjs/cluster' };

/** A port free right now on 127.0.0.1 (egg-cluster needs a fixed port for all its workers). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `predicate` with a deadline fit for booting and stopping processes on a loaded machine. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  ms = 60000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A running cluster of the `bff` fixture. */
export interface EggCluster {
  port: number;
  /** Worker pids seen in answers (tests add them), checked for exit by {@link stop}. */
  pids: Set<number>;
  /** SIGTERM to the master (egg stops agent and workers gracefully); waits for all of them. */
  stop(): Promise<void>;
}

/**
 * Starts the `bff` fixture as an egg cluster of `workers` app workers, with `env` added to the
 * environment; resolves once it serves.
 */
export async function startCluster(
  major: EggMajor,
  workers: number,
  env: Record<string, string>,
): Promise<EggCluster> {
  const { framework } = loadEgg(major);
  const clusterModule = require.resolve(CLUSTER_MODULE[major], { paths: [framework] });
  const port = await freePort();
  const args = [
    join(__dirname, 'fixtures', 'start-cluster.js'),
    clusterModule,
    JSON.stringify({ baseDir: join(FIXTURES, 'bff'), framework, workers, port }),
  ];
  const master: ChildProcess = spawn(process.execPath, args, {
    stdio: 'ignore',
    env: { ...process.env, NODE_ENV: 'production', EGG_SERVER_ENV: 'prod', ...env },
  });
  const pids = new Set<number>();
  const stop = async (): Promise<void> => {
    if (master.exitCode === null && master.signalCode === null) {
      const exited = new Promise((r) => master.once('exit', r));
      master.kill('SIGTERM');
      await exited;
    }
    // the master stops its workers gracefully; none may outlive it
    await waitFor(() => [...pids].every((p) => !alive(p)), 'the workers to exit', 30000).catch(() => {
      for (const p of pids) if (alive(p)) process.kill(p, 'SIGKILL');
    });
  };
  try {
    await waitFor(async () => {
      if (master.exitCode !== null) throw new Error('the egg cluster exited with code ' + master.exitCode);
      try {
        return (await rawRequest(port, '/health')).status === 200;
      } catch {
        return false;
      }
    }, 'the cluster to serve');
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, pids, stop };
}
