import { ByteSink, NO_BYTES } from '../encoding/byte-sink';

/** The first chunk of a queue; a chunk that fills up makes the next one twice as big. */
const MIN_CHUNK_BYTES = 16 * 1024;
/** Chunks grow up to this (one write of the I/O thread at most, except a longer single line). */
const MAX_CHUNK_BYTES = 256 * 1024;
/** Written chunks kept for reuse. */
const SPARE_CHUNKS = 2;

/** Lines taken from the queue: whole lines, each followed by the separator. */
export interface ByteBatch {
  /** A view from offset 0 of a buffer the queue no longer uses: safe to transfer to a thread. */
  readonly bytes: Buffer;
  readonly lines: number;
}

/**
 * A bounded FIFO of log lines held as encoded bytes, in chunks: lines are encoded straight into
 * the current chunk (it is the {@link ByteSink} they are written with) and a drain takes whole
 * chunks, ready to write. A full queue refuses a line instead of growing; written chunks come
 * back through {@link recycle}, so a busy file writes from the same few buffers.
 *
 * A line is written between {@link begin} and {@link end} (or {@link abort}), synchronously:
 * nothing is taken in between.
 */
export class ByteLineQueue extends ByteSink {
  private readonly sealed: ByteBatch[] = [];
  private count = 0;
  private currentLines = 0;
  /** Where the line being written starts (the end of the current chunk's whole lines). */
  private lineStart = 0;
  private chunkBytes = MIN_CHUNK_BYTES;
  private readonly spare: Buffer[] = [];

  /**
   * @param capacity maximum number of lines held.
   * @param separator the bytes ending every line.
   */
  constructor(
    readonly capacity: number,
    private readonly separator: Uint8Array,
  ) {
    super();
  }

  /** Lines held now. */
  get size(): number {
    return this.count;
  }

  /** Whether a chunk is full and waiting: worth a write without waiting for more lines. */
  get hasFullChunk(): boolean {
    return this.sealed.length > 0;
  }

  /** Starts a line; false (nothing may be written) when the queue is full. */
  begin(): boolean {
    return this.count < this.capacity;
  }

  /** Ends the line begun: adds the separator and counts it. */
  end(): void {
    this.bytes(this.separator);
    this.lineStart = this.pos;
    this.currentLines++;
    this.count++;
  }

  /** Forgets what was written since {@link begin}. */
  abort(): void {
    this.pos = this.lineStart;
  }

  /** Adds a whole string line (UTF-8); false (line not kept) when full. */
  push(line: string): boolean {
    if (!this.begin()) return false;
    this.utf8(line);
    this.end();
    return true;
  }

  /** Removes the oldest chunk's lines (undefined when empty). */
  take(): ByteBatch | undefined {
    const full = this.sealed.shift();
    if (full !== undefined) {
      this.count -= full.lines;
      return full;
    }
    if (this.currentLines === 0) return undefined;
    const batch = { bytes: this.buf.subarray(0, this.lineStart), lines: this.currentLines };
    this.count -= this.currentLines;
    this.buf = NO_BYTES;
    this.pos = this.lineStart = this.currentLines = 0;
    return batch;
  }

  /** Offers a written batch's buffer back for reuse (when it is of the current chunk size). */
  recycle(bytes: Uint8Array): void {
    const ab = bytes.buffer;
    if (
      ab.byteLength === this.chunkBytes &&
      this.spare.length < SPARE_CHUNKS &&
      !(ab instanceof SharedArrayBuffer)
    )
      this.spare.push(Buffer.from(ab));
  }

  /** Empties the queue (never called while a line is being written); returns how many lines were discarded. */
  clear(): number {
    const n = this.count;
    this.sealed.length = 0;
    this.count = this.currentLines = this.pos = this.lineStart = 0;
    return n;
  }

  protected reserve(n: number): void {
    const partial = this.pos - this.lineStart;
    const need = partial + n + this.separator.length;
    if (this.currentLines > 0) {
      this.sealed.push({ bytes: this.buf.subarray(0, this.lineStart), lines: this.currentLines });
      if (this.buf.length >= this.chunkBytes)
        this.chunkBytes = Math.min(this.chunkBytes * 2, MAX_CHUNK_BYTES);
    }
    const next = need <= this.chunkBytes ? this.chunk() : Buffer.allocUnsafeSlow(need);
    if (partial > 0) this.buf.copy(next, 0, this.lineStart, this.pos);
    this.buf = next;
    this.lineStart = 0;
    this.pos = partial;
    this.currentLines = 0;
  }

  private chunk(): Buffer {
    let b = this.spare.pop();
    while (b !== undefined && b.length !== this.chunkBytes) b = this.spare.pop();
    // allocUnsafeSlow: a buffer of its own (not a slice of Node's pool), so it can be transferred.
    return b ?? Buffer.allocUnsafeSlow(this.chunkBytes);
  }
}
