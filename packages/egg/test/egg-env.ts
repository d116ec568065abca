// Loads egg and its mock library of one supported major from its private test workspace
// (packages/egg-compat/<major>), where npm nests each major with the egg packages it requires by
// name. Fixture apps and their log files.
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { listen, until } from '../../../test/support/plugin-fixtures';
import { rawGet } from '../../../test/support/hostile-headers';
import type { SofaTracer } from '@sofa-tracer/core';
import { eggTracerState } from '@sofa-tracer/egg';

export { listen, until };

/** egg majors in the test matrix: `egg3` (egg 3 + egg-mock 5), `egg4` (egg 4.0 + @eggjs/mock 6). */
export type EggMajor = 'egg3' | 'egg4';

/** The part of egg-mock / @eggjs/mock the tests use. */
export interface MockApp {
  ready(): Promise<void>;
  close(): Promise<void>;
  callback(): RequestListener;
  runSchedule(name: string): Promise<unknown>;
  config: { baseDir: string; logger: { dir: string } };
  name: string;
  [key: string]: unknown;
}

export interface Mm {
  app(options: Record<string, unknown>): MockApp;
  cluster(options: Record<string, unknown>): ClusterApp;
  restore(): Promise<void> | void;
}

/** The cluster handle of egg-mock: real master, agent and app worker processes. */
export interface ClusterApp {
  ready(): Promise<void>;
  close(): Promise<void>;
  port: number;
  process?: { pid?: number };
}

export const PLUGIN_DIR = join(__dirname, '..');
export const FIXTURES = join(__dirname, 'fixtures', 'apps');

/** egg's mock library and the absolute path of the egg framework, for one major. */
export function loadEgg(major: EggMajor): { mm: Mm; framework: string } {
  const compat = join(PLUGIN_DIR, '..', 'egg-compat', major);
  const mockName = major === 'egg3' ? 'egg-mock' : '@eggjs/mock';
  const mod = require(require.resolve(mockName, { paths: [compat] })) as { mm?: Mm; default?: Mm } & Mm;
  const mm = mod.mm ?? mod.default ?? mod;
  const framework = dirname(require.resolve('egg/package.json', { paths: [compat] }));
  return { mm, framework };
}

/**
 * A fresh directory for one test file's app: the tracer's log root (`SOFA_TRACER_LOGGING_PATH`),
 * egg's logs and run files (`EGG_SOFA_TEST_DIR`, read by the fixture config); removed by `cleanup`.
 */
export function tracerLogRoot(): { dir: string; file(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sofa-egg-'));
  return {
    dir,
    file: (name) => join(dir, 'tracelog', name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Lines of a text file (CRLF or LF), empty when the file does not exist. */
export function linesOf(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
}

/** Parsed JSON lines of a digest file. */
export function digestOf(path: string): Record<string, unknown>[] {
  return linesOf(path).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Polls a digest file until `pick` finds a line (generous deadline for a loaded machine). */
export async function waitForLine(
  path: string,
  pick: (line: Record<string, unknown>) => boolean,
  what: string,
): Promise<Record<string, unknown>> {
  let found: Record<string, unknown> | undefined;
  await until(() => {
    found = digestOf(path).find(pick);
    return found !== undefined;
  }, what);
  return found!;
}

/** One row of a JSON stat file (`egg-stat.log`). */
export interface StatRowJson {
  'stat.key': Record<string, string>;
  count: number;
  success: 'Y' | 'N';
}

/** The rows of a JSON stat file. */
export function statRowsOf(path: string): StatRowJson[] {
  return linesOf(path).map((l) => JSON.parse(l) as StatRowJson);
}

/** egg-logger's file for the app's own logs (`<logger.dir>/<name>-web.log`). */
export function webLogOf(app: MockApp): string {
  return join(app.config.logger.dir, `${app.name}-web.log`);
}

/** A backend on port 0 that answers every request with the headers it received, as JSON. */
export async function echoBackend(): Promise<{
  url: string;
  seen: IncomingHttpHeaders[];
  close(): Promise<void>;
}> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.headers));
  });
  const l = await listen(server);
  return { url: l.url, seen, close: l.close };
}

/** The app on a real socket (127.0.0.1, port 0). */
export async function serve(app: MockApp): Promise<{ port: number; url: string; close(): Promise<void> }> {
  return listen(createServer(app.callback()));
}

/** A response as the raw client read it. */
export interface RawResponse {
  status: number;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  body: unknown;
}

function dechunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const eol = text.indexOf('\r\n', at);
    if (eol < 0) return out;
    const size = parseInt(text.slice(at, eol), 16);
    if (!(size > 0)) return out;
    out += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/**
 * `GET path` as raw bytes on a new connection: the test's own request is made by no HTTP client
 * library, so the client instrumentation installed in this process does not trace (or add trace
 * headers to) it — what the app receives is exactly the headers given.
 */
export async function rawRequest(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const raw = await rawGet(
    port,
    path,
    Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  );
  return parseRawResponse(raw);
}

/**
 * `GET path` with exactly these header lines (Host included, none added), written to a new
 * connection as UTF-8 bytes: `\u0085` goes out as C2 85, `\u2028` as E2 80 A8 (node's parser
 * hands such bytes to the app as latin-1 characters). For what node's own HTTP client refuses to
 * send. Reads until the server closes (`Connection: close` is added last).
 */
export function rawRequestBytes(port: number, path: string, headerLines: string[]): Promise<RawResponse> {
  const head = [`GET ${path} HTTP/1.1`, ...headerLines, 'Connection: close', '', ''].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(Buffer.from(head, 'utf8')));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(parseRawResponse(Buffer.concat(chunks).toString('utf8'))));
    socket.on('error', reject);
  });
}

function parseRawResponse(raw: string): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split);
  let text = raw.slice(split + 4);
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) text = dechunk(text);
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: Number(head.split(' ')[1]), text, body };
}

/** The `bff` fixture app booted by {@link bootBff}, with its real server and a backend to call. */
export interface BootedBff {
  app: MockApp;
  /** The egg framework's directory (the major's `egg` package). */
  framework: string;
  server: { port: number; url: string; close(): Promise<void> };
  backend: Awaited<ReturnType<typeof echoBackend>>;
  logs: ReturnType<typeof tracerLogRoot>;
  /** Flushes the app's tracer (every finished span on disk). */
  flush(): Promise<void>;
  /** Prints the stat rows aggregated so far (without waiting for the interval), then flushes. */
  printStats(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Boots the `bff` fixture on one egg major with egg-mock (`env`: extra environment the fixture
 * config reads), serves it on a real socket and starts an echo backend. One per test file.
 */
export async function bootBff(major: EggMajor, env: Record<string, string> = {}): Promise<BootedBff> {
  const { mm, framework } = loadEgg(major);
  const logs = tracerLogRoot();
  const vars: Record<string, string> = {
    SOFA_TRACER_LOGGING_PATH: logs.dir,
    EGG_SOFA_TEST_DIR: logs.dir,
    ...env,
  };
  Object.assign(process.env, vars);
  const backend = await echoBackend();
  const app = mm.app({ baseDir: join(FIXTURES, 'bff'), framework, cache: false });
  await app.ready();
  const server = await serve(app);
  return {
    app,
    framework,
    server,
    backend,
    logs,
    flush: async () => {
      await eggTracerState(app as never)!.tracer.flush();
    },
    printStats: async () => {
      const { tracer } = eggTracerState(app as never)!;
      // the plugin's tracer is core's SofaTracer (resolveTracer); printStats is not on Tracer
      (tracer as SofaTracer).printStats();
      await tracer.flush();
    },
    close: async () => {
      await server.close();
      await app.close();
      await backend.close();
      await mm.restore();
      for (const k of Object.keys(vars)) delete process.env[k];
      logs.cleanup();
    },
  };
}
