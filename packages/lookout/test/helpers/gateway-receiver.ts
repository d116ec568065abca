import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { uncompress } from 'snappyjs';

/** One request the fake gateway received, body decoded. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** Raw body bytes as sent. */
  raw: Buffer;
  /** Decoded records (POST only): snappy undone, split on tabs, JSON-parsed. */
  records: Record<string, unknown>[];
}

/** How the fake gateway answers. */
export interface ReceiverBehaviour {
  healthStatus: number;
  postStatus: number;
  /** Delay before answering a POST, ms. */
  postDelayMs: number;
  /** `Wait-Minutes` header on POST replies, when set. */
  waitMinutes?: number;
}

/** A local Lookout gateway on port 0 that decodes everything it gets. */
export class GatewayReceiver {
  readonly requests: ReceivedRequest[] = [];
  readonly behaviour: ReceiverBehaviour = { healthStatus: 200, postStatus: 200, postDelayMs: 0 };
  private server: Server | undefined;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        let records: Record<string, unknown>[] = [];
        if (req.method === 'POST') {
          const text =
            req.headers['content-encoding'] === 'snappy'
              ? Buffer.from(uncompress(raw)).toString('utf8')
              : raw.toString('utf8');
          records = text.split('\t').map((r) => JSON.parse(r) as Record<string, unknown>);
        }
        this.requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          raw,
          records,
        });
        const b = this.behaviour;
        if (req.method === 'GET') {
          res.statusCode = b.healthStatus;
          res.end();
          return;
        }
        setTimeout(() => {
          if (b.waitMinutes !== undefined) res.setHeader('Wait-Minutes', String(b.waitMinutes));
          res.statusCode = b.postStatus;
          res.end('ok');
        }, b.postDelayMs);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get address(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  posts(): ReceivedRequest[] {
    return this.requests.filter((r) => r.method === 'POST');
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
