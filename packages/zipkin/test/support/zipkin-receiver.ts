import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { isIPv4, isIPv6 } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * A local Zipkin collector that enforces the v2 API (`zipkin2-api.yaml`) strictly, because no
 * real Zipkin server can be installed here: `POST /api/v2/spans` with a JSON list, lowercase-hex
 * ids of the right widths (never all zero), integer epoch-µs timestamps, integer durations ≥ 1,
 * the four kinds, string-only tags, well-formed endpoints (no port 0), unique annotations and no
 * unknown fields. A valid body is answered 202 and its spans kept; an invalid one is answered
 * 400 and the reasons kept in `errors` (tests assert it stays empty).
 *
 * With `tls` (key and certificate) it listens for HTTPS.
 * `respond` lets a test make the collector fail: a status code, `'hang'` (never answer),
 * `'destroy'` (reset the connection). `maxBodyBytes` answers 413 to bigger bodies (raw bytes).
 */
export interface ReceivedRequest {
  readonly status: number | 'hang' | 'destroy';
  readonly spans: number;
  readonly bytes: number;
  readonly gzip: boolean;
  /** The Authorization header, if any. */
  readonly authorization: string | undefined;
}

export type Respond = (n: number) => number | 'hang' | 'destroy';

export interface ZipkinReceiver {
  readonly baseUrl: string;
  readonly port: number;
  /** Spans accepted (202), in arrival order. */
  readonly spans: Record<string, unknown>[];
  /** Every request. */
  readonly requests: ReceivedRequest[];
  /** Validation failures (each also answered 400). */
  readonly errors: string[];
  respond: Respond;
  maxBodyBytes: number;
  close(): Promise<void>;
}

const SPAN_KEYS = new Set([
  'traceId',
  'parentId',
  'id',
  'kind',
  'name',
  'timestamp',
  'duration',
  'debug',
  'shared',
  'localEndpoint',
  'remoteEndpoint',
  'annotations',
  'tags',
]);
const ENDPOINT_KEYS = new Set(['serviceName', 'ipv4', 'ipv6', 'port']);
const KINDS = new Set(['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER']);
// 2001-09-09 .. 2286-11-20 in µs: a ms or ns value is caught.
const MIN_US = 1e15;
const MAX_US = 1e16;

export async function startZipkinReceiver(
  respond: Respond = () => 202,
  maxBodyBytes = Infinity,
  tls?: { key: Buffer; cert: Buffer },
): Promise<ZipkinReceiver> {
  const spans: Record<string, unknown>[] = [];
  const requests: ReceivedRequest[] = [];
  const errors: string[] = [];
  let count = 0;
  const state = { respond, maxBodyBytes };
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const gzip = req.headers['content-encoding'] === 'gzip';
      const action = state.respond(count++);
      const note = (status: ReceivedRequest['status'], n: number) =>
        requests.push({
          status,
          spans: n,
          bytes: raw.length,
          gzip,
          authorization: req.headers.authorization,
        });
      if (action === 'hang') return note('hang', 0);
      if (action === 'destroy') {
        note('destroy', 0);
        req.socket.destroy();
        return;
      }
      if (raw.length > state.maxBodyBytes) {
        note(413, 0);
        res.writeHead(413, { 'content-type': 'text/plain' }).end('body too large');
        return;
      }
      if (action !== 202) {
        note(action, 0);
        res.writeHead(action, { 'content-type': 'text/plain' }).end(`failing with ${action}`);
        return;
      }
      const problems: string[] = [];
      let list: unknown;
      try {
        if (req.method !== 'POST') problems.push(`method ${req.method}`);
        if (req.url !== '/api/v2/spans') problems.push(`path ${req.url}`);
        if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
          problems.push(`content-type ${req.headers['content-type']}`);
        const text = (gzip ? gunzipSync(raw) : raw).toString('utf8');
        list = JSON.parse(text);
      } catch (e) {
        problems.push('unreadable body: ' + (e as Error).message);
      }
      if (!Array.isArray(list)) problems.push('body is not a JSON list');
      else list.forEach((s, i) => validateSpan(s, `span[${i}]`, problems));
      if (problems.length) {
        errors.push(...problems);
        note(400, 0);
        res.writeHead(400, { 'content-type': 'text/plain' }).end(problems.join('\n'));
        return;
      }
      const accepted = list as Record<string, unknown>[];
      spans.push(...accepted);
      note(202, accepted.length);
      res.writeHead(202).end();
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    spans,
    requests,
    errors,
    get respond() {
      return state.respond;
    },
    set respond(fn: Respond) {
      state.respond = fn;
    },
    get maxBodyBytes() {
      return state.maxBodyBytes;
    },
    set maxBodyBytes(n: number) {
      state.maxBodyBytes = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function hexId(v: unknown, widths: number[]): boolean {
  return typeof v === 'string' && widths.includes(v.length) && /^[a-f0-9]+$/.test(v) && !/^0+$/.test(v);
}

function epochMicros(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) >= MIN_US && (v as number) < MAX_US;
}

/** The Zipkin v2 span rules; appends one message per violation. */
export function validateSpan(s: unknown, at: string, problems: string[]): void {
  if (!isObject(s)) {
    problems.push(`${at}: not an object`);
    return;
  }
  for (const k of Object.keys(s)) if (!SPAN_KEYS.has(k)) problems.push(`${at}: unknown field ${k}`);
  if (!hexId(s.traceId, [16, 32])) problems.push(`${at}: traceId ${String(s.traceId)}`);
  if (!hexId(s.id, [16])) problems.push(`${at}: id ${String(s.id)}`);
  if (s.parentId !== undefined) {
    if (!hexId(s.parentId, [16])) problems.push(`${at}: parentId ${String(s.parentId)}`);
    if (s.parentId === s.id) problems.push(`${at}: parentId equals id`);
  }
  if (s.kind !== undefined && !KINDS.has(s.kind as string)) problems.push(`${at}: kind ${String(s.kind)}`);
  if (s.name !== undefined && typeof s.name !== 'string') problems.push(`${at}: name not a string`);
  if (!epochMicros(s.timestamp))
    problems.push(`${at}: timestamp ${String(s.timestamp)} not integer epoch µs`);
  if (!Number.isSafeInteger(s.duration) || (s.duration as number) < 1)
    problems.push(`${at}: duration ${String(s.duration)} not an integer ≥ 1`);
  for (const b of ['debug', 'shared'])
    if (s[b] !== undefined && typeof s[b] !== 'boolean') problems.push(`${at}: ${b} not a boolean`);
  if (s.localEndpoint === undefined) problems.push(`${at}: no localEndpoint`);
  for (const e of ['localEndpoint', 'remoteEndpoint']) {
    if (s[e] !== undefined) validateEndpoint(s[e], `${at}.${e}`, problems);
  }
  if (s.annotations !== undefined) {
    if (!Array.isArray(s.annotations)) problems.push(`${at}: annotations not a list`);
    else {
      const seen = new Set<string>();
      s.annotations.forEach((a: unknown, i: number) => {
        if (
          !isObject(a) ||
          !epochMicros(a.timestamp) ||
          typeof a.value !== 'string' ||
          Object.keys(a).length !== 2
        )
          problems.push(`${at}.annotations[${i}] malformed`);
        else if (seen.has(`${a.timestamp} ${a.value}`)) problems.push(`${at}.annotations[${i}] duplicate`);
        else seen.add(`${a.timestamp} ${a.value}`);
      });
    }
  }
  if (s.tags !== undefined) {
    if (!isObject(s.tags)) problems.push(`${at}: tags not an object`);
    else
      for (const [k, v] of Object.entries(s.tags))
        if (typeof v !== 'string') problems.push(`${at}: tag ${k} is a ${typeof v}, not a string`);
  }
}

function validateEndpoint(e: unknown, at: string, problems: string[]): void {
  if (!isObject(e)) {
    problems.push(`${at}: not an object`);
    return;
  }
  for (const k of Object.keys(e)) if (!ENDPOINT_KEYS.has(k)) problems.push(`${at}: unknown field ${k}`);
  if (e.serviceName !== undefined && (typeof e.serviceName !== 'string' || e.serviceName === ''))
    problems.push(`${at}: serviceName`);
  if (e.ipv4 !== undefined && !(typeof e.ipv4 === 'string' && isIPv4(e.ipv4)))
    problems.push(`${at}: ipv4 ${String(e.ipv4)}`);
  if (e.ipv6 !== undefined && !(typeof e.ipv6 === 'string' && isIPv6(e.ipv6)))
    problems.push(`${at}: ipv6 ${String(e.ipv6)}`);
  if (
    e.port !== undefined &&
    !(Number.isInteger(e.port) && (e.port as number) >= 1 && (e.port as number) <= 65535)
  )
    problems.push(`${at}: port ${String(e.port)}`);
}
