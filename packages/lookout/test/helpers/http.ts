import { request } from 'node:http';

/** Response of {@link httpRequest}. */
export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request over a real socket; resolves with status, headers and body. */
export function httpRequest(
  method: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A GET over a real socket. */
export function httpGet(url: string, headers: Record<string, string> = {}): Promise<HttpReply> {
  return httpRequest('GET', url, headers);
}
