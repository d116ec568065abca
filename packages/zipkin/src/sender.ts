import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { gzip as gzipCallback } from 'node:zlib';

/** What became of one POST. */
export type SendOutcome =
  /** 2xx: the collector took the spans. */
  | { readonly kind: 'ok'; readonly status: number }
  /** 413: the body was too large for the collector; the batch may be split. */
  | { readonly kind: 'too-large'; readonly status: number; readonly detail: string }
  /** 5xx, 408, 429, timeout, connection error: worth another try later. */
  | { readonly kind: 'retry'; readonly status: number; readonly detail: string }
  /** Any other answer (400 bad spans, 401/403, 404 wrong URL, 3xx): retrying cannot help. */
  | { readonly kind: 'rejected'; readonly status: number; readonly detail: string };

/** Options of a {@link ZipkinSender}. */
export interface ZipkinSenderOptions {
  readonly endpoint: URL;
  readonly gzip: boolean;
  readonly timeoutMs: number;
}

const MAX_ERROR_BODY = 512;

/**
 * POSTs JSON span lists to a Zipkin v2 endpoint over node:http(s), one request at a time, each
 * with a timeout covering connect and answer. Sockets and the timeout timer are unref'd so the
 * sender never keeps a process alive — except while `close()` flushes (`hold(true)`), which is
 * bounded by the close deadline.
 */
export class ZipkinSender {
  private readonly agent: http.Agent;
  private held = false;
  private current: { req: http.ClientRequest; timer: NodeJS.Timeout; socket?: Socket } | undefined;

  constructor(private readonly options: ZipkinSenderOptions) {
    const isHttps = options.endpoint.protocol === 'https:';
    const Agent = isHttps ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 1, timeout: 30_000 });
  }

  /** Keep the event loop alive for the request in flight (true while closing) or not. */
  hold(on: boolean): void {
    this.held = on;
    const c = this.current;
    if (!c) return;
    if (on) {
      c.timer.ref();
      c.socket?.ref();
    } else {
      c.timer.unref();
      c.socket?.unref();
    }
  }

  /** Ends the request in flight (its outcome becomes `retry` "aborted"). */
  abort(): void {
    this.current?.req.destroy(new Error('aborted by close()'));
  }

  /** Frees pooled sockets. */
  destroy(): void {
    this.abort();
    this.agent.destroy();
  }

  /** Sends one JSON body (a `[…]` list of spans). Never rejects. */
  async send(json: Buffer): Promise<SendOutcome> {
    let body = json;
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
    if (this.options.gzip) {
      try {
        body = await gzipAsync(json);
        headers['content-encoding'] = 'gzip';
      } catch {
        body = json; // zlib failing is not worth losing spans over: send uncompressed
      }
    }
    headers['content-length'] = body.length;
    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: SendOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.current = undefined;
        resolve(outcome);
      };
      let req: http.ClientRequest;
      try {
        // A ClientRequest made directly, not through http.request/https.request: HTTP client
        // instrumentation (ours, OTel's) wraps those, and a traced POST to Zipkin would become a
        // span sent to Zipkin in the next batch, for ever. The agent decides http vs https.
        const u = this.options.endpoint;
        req = new http.ClientRequest({
          protocol: u.protocol,
          hostname: u.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: u.port || undefined,
          path: u.pathname + u.search,
          auth: u.username
            ? decodeURIComponent(u.username) + ':' + decodeURIComponent(u.password)
            : undefined,
          method: 'POST',
          headers,
          agent: this.agent,
        });
      } catch (error) {
        resolve({ kind: 'retry', status: 0, detail: describe(error) });
        return;
      }
      const timer = setTimeout(() => {
        req.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      if (!this.held) timer.unref();
      const current: { req: http.ClientRequest; timer: NodeJS.Timeout; socket?: Socket } = { req, timer };
      this.current = current;
      req.on('socket', (socket: Socket) => {
        current.socket = socket;
        if (this.held) socket.ref();
        else socket.unref();
      });
      req.on('error', (error) => finish({ kind: 'retry', status: 0, detail: describe(error) }));
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < MAX_ERROR_BODY) text += chunk;
        });
        res.on('error', () => finish(classify(status, text)));
        res.on('end', () => finish(classify(status, text)));
        res.on('close', () => finish(classify(status, text)));
      });
      req.end(body);
    });
  }
}

function classify(status: number, body: string): SendOutcome {
  const detail = `HTTP ${status}${body ? ': ' + oneLine(body) : ''}`;
  if (status >= 200 && status < 300) return { kind: 'ok', status };
  if (status === 413) return { kind: 'too-large', status, detail };
  if (status >= 500 || status === 408 || status === 429) return { kind: 'retry', status, detail };
  return { kind: 'rejected', status, detail };
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? t.slice(0, 200) + '…' : t;
}

function describe(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code + ' ' : '';
  return code + (typeof e?.message === 'string' ? e.message : String(error));
}

function gzipAsync(data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    gzipCallback(data, (err, out) => (err ? reject(err) : resolve(out))),
  );
}
