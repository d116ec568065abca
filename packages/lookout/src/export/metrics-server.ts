import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as prom from 'prom-client';
import type { LookoutLogger } from '../api/types';
import { createMetricsHandler } from './metrics-handler';

/** Options of the standalone /metrics server. */
export interface MetricsServerOptions {
  port: number;
  host?: string;
  /** Path served; default `/metrics`. */
  path?: string;
}

/**
 * A small HTTP server exposing `/metrics` (Lookout's port 9494 by default). It never crashes the
 * application: when the port is taken it logs a warning and `ready` resolves to null. The server
 * is unref'd, so it does not keep a process alive on its own.
 */
export class MetricsServer {
  /** Resolves with the bound address, or null when listening failed. */
  readonly ready: Promise<AddressInfo | null>;
  private readonly server: Server;
  private closed = false;

  constructor(registry: prom.Registry, options: MetricsServerOptions, logger: LookoutLogger) {
    const path = options.path ?? '/metrics';
    const handler = createMetricsHandler(registry);
    this.server = createServer((req, res) => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const p = q < 0 ? url : url.slice(0, q);
      if (p !== path) {
        res.statusCode = 404;
        res.end('Not found. Metrics are at ' + path + '\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.statusCode = 405;
        res.setHeader('Allow', 'GET, HEAD');
        res.end();
        return;
      }
      handler(req, res);
    });
    this.server.keepAliveTimeout = 65000;
    this.ready = new Promise((resolve) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        logger.warn(
          `Lookout /metrics server could not listen on ${options.host ?? '*'}:${options.port} (${err.code ?? err.message}); ` +
            'metrics are still collected — mount lookout.handler on your own server or set another port (SOFA_LOOKOUT_PROMETHEUS_PORT)',
        );
        resolve(null);
      };
      this.server.once('error', onError);
      this.server.listen(options.port, options.host, () => {
        this.server.off('error', onError);
        // Later socket errors are the client's problem, never the app's.
        this.server.on('error', () => {});
        resolve(this.server.address() as AddressInfo);
      });
    });
    this.server.unref();
  }

  /** Stops listening and closes open connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ready;
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
