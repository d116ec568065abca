import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { errorText, writeStderr } from './rate-limiter';

/**
 * The log writers' file I/O, done synchronously on ONE worker thread shared by every writer of
 * the process — never on libuv's threadpool. A stalled disk (a hung NFS mount, a FIFO nobody
 * reads) then holds at most this one thread: the application's own `fs` calls and `dns.lookup`
 * keep their four threadpool threads. Calls are queued in order and answered by message.
 *
 * Files are opened with `O_NONBLOCK`: a FIFO without a reader fails to open (ENXIO) instead of
 * blocking, and a full pipe answers a write with the bytes it took (`again`) instead of blocking,
 * so the thread stays free for the other files; regular files ignore the flag.
 *
 * The thread is referenced only while calls are pending (lines on their way to disk keep the
 * process alive, as before); a writer that gives up at `close()` abandons its calls, so a call
 * stuck in the kernel no longer keeps the process alive.
 */

/** What `fstat`/`stat`/`lstat` answer: the fields the writers use. */
export interface IoStat {
  readonly ino: number;
  readonly dev: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly isFile: boolean;
}

/**
 * The answer of a `write`: bytes taken from `offset` on; `again` when a non-blocking target (a
 * pipe) was full; `error` when the write failed after `bytesWritten` bytes (a short write, e.g.
 * ENOSPC); `data` is the buffer that was sent (it travels to the thread and back without a copy).
 */
export interface IoWritten {
  readonly bytesWritten: number;
  readonly again: boolean;
  readonly data: Uint8Array;
  readonly error?: { message: string; code?: string; syscall?: string };
}

interface Ops {
  mkdirp: [path: string];
  openAppend: [path: string];
  openRead: [path: string];
  close: [fd: number];
  fstat: [fd: number];
  stat: [path: string];
  lstat: [path: string];
  write: [fd: number, data: Uint8Array, offset: number];
  read: [fd: number, length: number, position: number];
  ftruncate: [fd: number, length: number];
  rename: [from: string, to: string];
  link: [existing: string, newPath: string];
  readdir: [path: string];
  unlink: [path: string];
}

interface Results {
  mkdirp: undefined;
  openAppend: number;
  openRead: number;
  close: undefined;
  fstat: IoStat;
  stat: IoStat;
  lstat: IoStat;
  write: IoWritten;
  read: Uint8Array;
  ftruncate: undefined;
  rename: undefined;
  link: undefined;
  readdir: string[];
  unlink: undefined;
}

// Plain JS, evaluated in the worker: no module resolution (works from dist, the ESM wrapper, tests).
const WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const C = fs.constants;
const APPEND = C.O_WRONLY | C.O_APPEND | C.O_CREAT | (C.O_NONBLOCK || 0);
const READ = C.O_RDONLY | (C.O_NONBLOCK || 0);
function st(s) {
  return { ino: s.ino, dev: s.dev, size: s.size, mtimeMs: s.mtimeMs, isFile: s.isFile() };
}
const ops = {
  mkdirp: (p) => void fs.mkdirSync(p, { recursive: true }),
  openAppend: (p) => fs.openSync(p, APPEND, 0o666),
  openRead: (p) => fs.openSync(p, READ),
  close: (fd) => void fs.closeSync(fd),
  fstat: (fd) => st(fs.fstatSync(fd)),
  stat: (p) => st(fs.statSync(p)),
  lstat: (p) => st(fs.lstatSync(p)),
  write: (fd, data, offset) => {
    // The buffer travels back (transferred) so the writer can keep using it without a copy.
    let off = offset;
    while (off < data.length) {
      let n;
      try {
        n = fs.writeSync(fd, data, off, data.length - off);
      } catch (e) {
        if (e.code === 'EAGAIN' || e.code === 'EWOULDBLOCK') return reply({ bytesWritten: off - offset, again: true, data }, data);
        return reply({ bytesWritten: off - offset, again: false, data, error: err(e) }, data);
      }
      off += n;
    }
    return reply({ bytesWritten: off - offset, again: false, data }, data);
  },
  read: (fd, length, position) => {
    const b = Buffer.alloc(length);
    const n = fs.readSync(fd, b, 0, length, position);
    return b.subarray(0, n);
  },
  ftruncate: (fd, length) => void fs.ftruncateSync(fd, length),
  rename: (a, b) => void fs.renameSync(a, b),
  link: (a, b) => void fs.linkSync(a, b),
  readdir: (p) => fs.readdirSync(p),
  unlink: (p) => void fs.unlinkSync(p),
};
function err(e) {
  return { message: String(e && e.message), code: e && e.code, syscall: e && e.syscall };
}
// A result to send with a transfer list (exclusive buffers travel without a copy).
// (every buffer here arrived in a message, so it is this thread's alone to give back)
function reply(result, data) {
  return { reply: result, transfer: data.buffer instanceof ArrayBuffer ? [data.buffer] : [] };
}
parentPort.on('message', (m) => {
  try {
    const r = ops[m.op](...m.args);
    if (r !== undefined && r !== null && r.transfer !== undefined) parentPort.postMessage({ id: m.id, result: r.reply }, r.transfer);
    else parentPort.postMessage({ id: m.id, result: r });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: err(e) });
  }
});
`;

interface Pending {
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  readonly owner: object;
  readonly op: keyof Ops;
  readonly args: unknown[];
  abandoned: boolean;
}

interface Reply {
  id: number;
  result?: unknown;
  error?: { message: string; code?: string; syscall?: string };
}

/** An error from the I/O thread, shaped like Node's fs errors (`code`, `syscall`). */
export class IoError extends Error {
  readonly code: string | undefined;
  readonly syscall: string | undefined;
  /** For a failed `write`: bytes written before the error (a short write, e.g. ENOSPC). */
  readonly bytesWritten: number;
  constructor(e: NonNullable<Reply['error']>, bytesWritten = 0) {
    super(e.message);
    this.name = 'Error';
    this.code = e.code;
    this.syscall = e.syscall;
    this.bytesWritten = bytesWritten;
  }
}

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();
/** Pending calls that keep the process alive (not abandoned). */
let live = 0;

function onMessage(m: Reply): void {
  const p = pending.get(m.id);
  if (p === undefined) return;
  pending.delete(m.id);
  if (!p.abandoned) live--;
  updateRef();
  answered = true;
  if (m.error !== undefined) p.reject(new IoError(m.error));
  else p.resolve(m.result);
}

/** Set once the thread has answered a call: it can start in this process. */
let answered = false;
/**
 * Set when the thread cannot start here (a permission model without `--allow-worker`, an
 * embedder without workers) or `SOFA_TRACER_LOG_IO_THREAD=off`: file I/O then goes through
 * libuv's threadpool on the main thread, one operation at a time (at most one pool thread).
 */
let inline = process.env.SOFA_TRACER_LOG_IO_THREAD === 'off';

function onFailure(error: unknown): void {
  worker = undefined;
  live = 0;
  const all = [...pending.values()];
  pending.clear();
  if (!answered) {
    // It never started: fall back for good and run what was waiting (no buffer was transferred yet).
    inline = true;
    writeStderr(`log I/O thread could not start (${errorText(error)}); writing through the libuv threadpool`);
    for (const p of all) runSerial(p.op, p.args).then(p.resolve, p.reject);
    return;
  }
  // The thread died (out of memory, a bug): fail what was pending; the next call starts a new one.
  for (const p of all)
    p.reject(new IoError({ message: `log I/O thread failed: ${errorText(error)}`, code: 'EIO' }));
}

const C = fs.constants;
const APPEND = C.O_WRONLY | C.O_APPEND | C.O_CREAT | (C.O_NONBLOCK ?? 0);
const READ = C.O_RDONLY | (C.O_NONBLOCK ?? 0);
const fsp = fs.promises;

function toStat(s: fs.Stats): IoStat {
  return { ino: s.ino, dev: s.dev, size: s.size, mtimeMs: s.mtimeMs, isFile: s.isFile() };
}

function writeInline(fd: number, data: Uint8Array, offset: number): Promise<IoWritten> {
  return new Promise((resolve) => {
    const step = (off: number): void => {
      if (off >= data.length) return resolve({ bytesWritten: off - offset, again: false, data });
      fs.write(fd, data, off, data.length - off, null, (e, n) => {
        if (e === null) return step(off + n);
        if (e.code === 'EAGAIN' || e.code === 'EWOULDBLOCK')
          return resolve({ bytesWritten: off - offset, again: true, data });
        resolve({
          bytesWritten: off - offset,
          again: false,
          data,
          error: { message: e.message, code: e.code, syscall: e.syscall },
        });
      });
    };
    step(offset);
  });
}

function openFd(file: string, flags: number, mode: number): Promise<number> {
  return new Promise((res, rej) => fs.open(file, flags, mode, (e, fd) => (e ? rej(e) : res(fd))));
}

/**
 * The fallback's operations run one after another (one promise chain for the whole process), so
 * it holds at most ONE libuv threadpool thread at a time, like the I/O thread holds one thread:
 * a stalled file delays the other log files, never the application's `fs` and `dns`.
 */
let inlineChain: Promise<unknown> = Promise.resolve();
const ignore = (): undefined => undefined;
function runSerial(op: keyof Ops, args: unknown[]): Promise<unknown> {
  const p = inlineChain.then(() => runInline(op, args));
  inlineChain = p.then(ignore, ignore);
  return p;
}

/** The same operations on the main thread, through libuv's threadpool (the fallback). */
async function runInline(op: keyof Ops, args: unknown[]): Promise<unknown> {
  const a = args as never[];
  switch (op) {
    case 'mkdirp':
      await fsp.mkdir(a[0], { recursive: true });
      return undefined;
    case 'openAppend':
      // a raw descriptor (a FileHandle would close it when garbage-collected)
      return openFd(a[0], APPEND, 0o666);
    case 'openRead':
      return openFd(a[0], READ, 0o666);
    case 'close':
      return new Promise<void>((res, rej) => fs.close(a[0], (e) => (e ? rej(e) : res())));
    case 'fstat':
      return new Promise((res, rej) => fs.fstat(a[0], (e, st) => (e ? rej(e) : res(toStat(st)))));
    case 'stat':
      return toStat(await fsp.stat(a[0]));
    case 'lstat':
      return toStat(await fsp.lstat(a[0]));
    case 'write':
      return writeInline(a[0], a[1], a[2]);
    case 'read':
      return new Promise((res, rej) => {
        const b = Buffer.alloc(a[1]);
        fs.read(a[0], b, 0, a[1], a[2], (e, n) => (e ? rej(e) : res(b.subarray(0, n))));
      });
    case 'ftruncate':
      return new Promise<void>((res, rej) => fs.ftruncate(a[0], a[1], (e) => (e ? rej(e) : res())));
    case 'rename':
      return fsp.rename(a[0], a[1]);
    case 'link':
      return fsp.link(a[0], a[1]);
    case 'readdir':
      return fsp.readdir(a[0]);
    case 'unlink':
      return fsp.unlink(a[0]);
  }
}

function thread(): Worker {
  if (worker === undefined) {
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      // The app's flags are not the thread's: `--input-type=module` would parse this CommonJS
      // source as ESM, and `--import`/`--require` hooks (tsx, APM agents) have no business here.
      execArgv: [],
      name: 'sofa-tracer log I/O',
      stdout: false,
      stderr: false,
    });
    w.on('message', onMessage);
    w.on('error', onFailure);
    w.on('exit', (code) => {
      if (worker === w) onFailure(new Error(`exited with code ${code}`));
    });
    w.unref();
    worker = w;
  }
  return worker;
}

let refd = false;
function updateRef(): void {
  const w = worker;
  if (w === undefined) return;
  if (live > 0 && !refd) {
    w.ref();
    refd = true;
  } else if (live === 0 && refd) {
    w.unref();
    refd = false;
  }
}

const givenUp = new WeakSet<ArrayBufferLike>();

/**
 * Tells {@link io} that nothing else uses `buffer` while a write of a view of it is in flight, so
 * the whole buffer may move to the I/O thread (it comes back as the write's `data`).
 */
export function giveUpForWrite(buffer: ArrayBufferLike): void {
  givenUp.add(buffer);
}

/**
 * Runs one file operation on the I/O thread. `owner` (a writer) can later {@link abandonIo} its
 * calls. Rejects with an {@link IoError}.
 */
export function io<K extends keyof Ops>(owner: object, op: K, ...args: Ops[K]): Promise<Results[K]> {
  if (inline) return runSerial(op, args) as Promise<Results[K]>;
  return new Promise<Results[K]>((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject, owner, op, args, abandoned: false });
    live++;
    try {
      const last = args[1];
      // A buffer given up for the write (a queue's chunk, or one no other view shares) moves to
      // the thread without a copy — once the thread is known to run (until then a call may have
      // to be run here instead). Never a slice of Node's shared pool: that would detach the pool.
      const transfer =
        answered &&
        op === 'write' &&
        last instanceof Uint8Array &&
        last.byteOffset === 0 &&
        (last.byteLength === last.buffer.byteLength || givenUp.has(last.buffer))
          ? [last.buffer as ArrayBuffer]
          : undefined;
      thread().postMessage({ id, op, args }, transfer);
      updateRef();
    } catch (e) {
      pending.delete(id);
      live--;
      if (answered) return reject(e);
      // `new Worker` itself refused (ERR_ACCESS_DENIED under the permission model): fall back.
      onFailure(e);
      runSerial(op, args).then(resolve as (v: unknown) => void, reject);
    }
  });
}

/**
 * Stops `owner`'s pending calls from keeping the process alive (a writer giving up at close while
 * a call is stuck in the kernel). Their answers, if any ever come, are still delivered.
 */
export function abandonIo(owner: object): void {
  for (const p of pending.values()) {
    if (p.owner === owner && !p.abandoned) {
      p.abandoned = true;
      live--;
    }
  }
  updateRef();
}

/** Whether the I/O thread exists and keeps the process alive now (tests). */
export function ioThreadState(): { started: boolean; referenced: boolean; pending: number; inline: boolean } {
  return { started: worker !== undefined, referenced: refd, pending: pending.size, inline };
}
