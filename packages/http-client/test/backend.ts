import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen } from './helpers';

/** What the backend saw of one request. */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: number;
}

/**
 * A real backend on port 0 with the shapes the client tests need: echo, chunked body, slow
 * response, a connection reset mid-body.
 */
export async function startBackend(): Promise<{
  url: string;
  port: number;
  seen: Seen[];
  close: () => Promise<void>;
}> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = 0;
    req.on('data', (c: Buffer) => (body += c.length));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body,
      });
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/chunked') {
        res.write('hello ');
        setTimeout(() => res.end('world!'), 2);
      } else if (path === '/slow') {
        const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 400);
        setTimeout(() => {
          if (!res.destroyed) res.end('late');
        }, ms).unref();
      } else if (path === '/reset') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('partial');
        setTimeout(() => res.destroy(), 5);
      } else if (path === '/big') {
        // 8 MB, chunked, written with backpressure: a client that does not read stalls it
        const chunk = Buffer.alloc(65536, 120);
        let left = 128;
        const pump = (): void => {
          while (left > 0 && !res.destroyed) {
            left--;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end();
        };
        res.on('error', () => undefined);
        pump();
      } else if (path === '/status/404') {
        res.statusCode = 404;
        res.end('not found');
      } else {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true, body }));
      }
    });
  });
  const l = await listen(server);
  return { ...l, seen };
}
