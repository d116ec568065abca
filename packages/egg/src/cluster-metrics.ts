import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** Agent → app workers: "send me your metrics" (`{ id }`). */
export const METRICS_REQUEST = 'sofa-tracer:metrics-request';
/** App worker → agent: one worker's `getMetricsAsJSON()` (`{ id, pid, metrics }`). */
export const METRICS_RESPONSE = 'sofa-tracer:metrics-response';

/** egg's messenger, as the app workers and the agent have it (egg 3 and 4). */
export interface EggMessenger {
  on(action: string, listener: (data: never) => void): unknown;
  removeListener?(action: string, listener: (data: never) => void): unknown;
  sendToAgent?(action: string, data: unknown): unknown;
  sendToApp?(action: string, data: unknown): unknown;
}

interface MetricsRequest {
  id: number;
}

interface MetricsResponse {
  id: number;
  pid: number;
  metrics: object[];
}

/**
 * App-worker side of the cluster `/metrics`: answers the agent's requests with this worker's
 * registry as JSON. Returns the function that stops answering.
 */
export function answerMetricsRequests(messenger: EggMessenger, registry: Registry): () => void {
  const onRequest = (data: MetricsRequest): void => {
    registry.getMetricsAsJSON().then(
      (metrics) => messenger.sendToAgent?.(METRICS_RESPONSE, { id: data.id, pid: process.pid, metrics }),
      () => messenger.sendToAgent?.(METRICS_RESPONSE, { id: data.id, pid: process.pid, metrics: [] }),
    );
  };
  messenger.on(METRICS_REQUEST, onRequest as (data: never) => void);
  return () => messenger.removeListener?.(METRICS_REQUEST, onRequest as (data: never) => void);
}

/** Options of {@link ClusterMetricsServer}. */
export interface ClusterMetricsServerOptions {
  /** Port of the aggregated `/metrics` (Lookout's default 9494; 0 = any free port). */
  port: number;
  /** Interface to listen on; default all. */
  host?: string;
  /** Path; default `/metrics`. */
  path?: string;
  /** How long to wait for the workers' answers, ms; default 2000. Late workers are left out. */
  timeoutMs?: number;
}

interface Pending {
  replies: Map<number, object[]>;
  resolve: () => void;
}

/**
 * Agent side: one `/metrics` for the whole cluster. Each scrape asks every app worker for its
 * registry through egg's messenger and serves their sum (prom-client's `AggregatorRegistry`
 * rules: counters and histograms summed, gauges as each metric's `aggregator` says). The number
 * of workers comes from egg-cluster's `egg-pids` message; in single-process mode (no such
 * message) the first answer completes a scrape.
 */
export class ClusterMetricsServer {
  private readonly server: Server;
  private readonly pending = new Map<number, Pending>();
  private workers = 0;
  private seq = 0;
  private readonly path: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly messenger: EggMessenger,
    private readonly options: ClusterMetricsServerOptions,
  ) {
    this.path = options.path ?? '/metrics';
    this.timeoutMs = options.timeoutMs ?? 2000;
    messenger.on('egg-pids', ((pids: unknown) => {
      this.workers = Array.isArray(pids) ? pids.length : 0;
    }) as (data: never) => void);
    messenger.on(METRICS_RESPONSE, ((data: MetricsResponse) => this.onResponse(data)) as (
      data: never,
    ) => void);
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Starts listening; resolves with the address. */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** The aggregated exposition (Prometheus text format) of every worker that answered in time. */
  async collect(): Promise<string> {
    const id = ++this.seq;
    const replies = new Map<number, object[]>();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.timeoutMs);
      timer.unref();
      this.pending.set(id, {
        replies,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      this.messenger.sendToApp?.(METRICS_REQUEST, { id });
    });
    this.pending.delete(id);
    return AggregatorRegistry.aggregate([...replies.values()]).metrics();
  }

  /** Stops the server. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private onResponse(data: MetricsResponse): void {
    const p = data && this.pending.get(data.id);
    if (p === undefined || !Array.isArray(data.metrics)) return;
    p.replies.set(data.pid, data.metrics);
    if (this.workers === 0 || p.replies.size >= this.workers) p.resolve();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== this.path) {
      res.statusCode = 404;
      res.end();
      return;
    }
    try {
      const text = await this.collect();
      res.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
      res.end(text);
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err instanceof Error ? err.message : err));
    }
  }
}
