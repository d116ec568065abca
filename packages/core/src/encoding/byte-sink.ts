import { jsonString, legacyValue } from './json-string';

/** A zero-length buffer: a sink's buffer before its first reserve. */
export const NO_BYTES: Buffer = Buffer.alloc(0);

/**
 * Writes a line's pieces straight into a byte buffer: no string per line, no rope to flatten
 * and encode later, nothing the garbage collector has to copy while the line waits to be
 * written. The common case (ASCII without anything to escape) is one byte store per character;
 * anything else goes through the string encoders ({@link jsonString}, {@link legacyValue}), so
 * the bytes are exactly what those return, UTF-8 encoded.
 *
 * A subclass owns the buffer and decides what happens when it is full ({@link reserve}).
 */
export abstract class ByteSink {
  /** The buffer written into; bytes `[0, pos)` are in use. */
  protected buf: Buffer = NO_BYTES;
  protected pos = 0;

  /**
   * Makes room for `n` more bytes at `pos`: afterwards `pos + n <= buf.length`. May move the
   * bytes of the line being written to another buffer (and `pos` with them).
   */
  protected abstract reserve(n: number): void;

  /** Copies bytes as they are (a pre-encoded constant such as `,"method":`). */
  bytes(b: Uint8Array): void {
    const n = b.length;
    if (this.pos + n > this.buf.length) this.reserve(n);
    const buf = this.buf;
    // (TypedArray#set has a fixed cost that a byte loop beats for the shortest constants)
    if (n > 8) {
      buf.set(b, this.pos);
      this.pos += n;
      return;
    }
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /** A string's UTF-8 bytes, nothing escaped. */
  utf8(s: string): void {
    const max = s.length * 3;
    if (this.pos + max > this.buf.length) this.reserve(max);
    this.pos += this.buf.write(s, this.pos);
  }

  /** A string expected to be plain ASCII (a time stamp, a span kind); anything else as UTF-8. */
  ascii(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.reserve(n);
    const buf = this.buf;
    const start = this.pos;
    let p = start;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        this.pos = start;
        this.utf8(s);
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** A JSON string literal, quotes included: the UTF-8 bytes of {@link jsonString}(s). */
  json(s: string): void {
    const n = s.length;
    if (this.pos + n + 2 > this.buf.length) this.reserve(n + 2);
    const buf = this.buf;
    const start = this.pos;
    let p = start;
    buf[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x7f) {
        this.pos = start;
        this.utf8(jsonString(s));
        return;
      }
      buf[p++] = c;
    }
    buf[p++] = 0x22;
    this.pos = p;
  }

  /** A value of the legacy comma format: the UTF-8 bytes of {@link legacyValue}(s). */
  legacy(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.reserve(n);
    const buf = this.buf;
    const start = this.pos;
    let p = start;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x2c || c === 0x25 || c >= 0x7f) {
        this.pos = start;
        this.utf8(legacyValue(s));
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** A number as `String(n)` writes it; small non-negative integers without a string. */
  number(n: number): void {
    if (n >= 0 && n < 1e6 && Math.floor(n) === n) {
      if (this.pos + 6 > this.buf.length) this.reserve(6);
      const buf = this.buf;
      let p = this.pos;
      if (n >= 1e5) buf[p++] = 0x30 + Math.floor(n / 1e5);
      if (n >= 1e4) buf[p++] = 0x30 + (Math.floor(n / 1e4) % 10);
      if (n >= 1e3) buf[p++] = 0x30 + (Math.floor(n / 1e3) % 10);
      if (n >= 100) buf[p++] = 0x30 + (Math.floor(n / 100) % 10);
      if (n >= 10) buf[p++] = 0x30 + (Math.floor(n / 10) % 10);
      buf[p++] = 0x30 + (n % 10);
      this.pos = p;
    } else {
      this.ascii(String(n));
    }
  }
}

/** A sink that grows as needed, for encoding one line into a string (tests, the string API). */
export class StringSink extends ByteSink {
  protected reserve(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(256, (this.pos + n) * 2));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** What was written, decoded, and the sink emptied. */
  take(): string {
    const s = this.buf.toString('utf8', 0, this.pos);
    this.pos = 0;
    return s;
  }
}
