/** A batch taken from the queue: encoded spans and the bytes of the JSON list they make. */
export interface Batch {
  readonly spans: string[];
  /** Bytes of `[a,b,…]`. */
  readonly bytes: number;
}

/** Bytes of the JSON list `[s1,s2,…]` for spans of `sum` bytes in total. */
export function listBytes(count: number, sum: number): number {
  return count === 0 ? 2 : sum + count + 1;
}

/**
 * Encoded spans waiting to be sent, bounded in count and in bytes. FIFO with a moving head so
 * taking a batch does not shift the array; the array is compacted when the head passes half.
 */
export class SpanQueue {
  private items: string[] = [];
  private sizes: number[] = [];
  private head = 0;
  private byteCount = 0;

  constructor(
    private readonly maxSpans: number,
    private readonly maxBytes: number,
  ) {}

  /** Spans queued. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Encoded bytes queued. */
  get bytes(): number {
    return this.byteCount;
  }

  /** Adds a span of `size` bytes; false (nothing added) when a bound would be exceeded. */
  offer(json: string, size: number): boolean {
    if (this.items.length - this.head >= this.maxSpans || this.byteCount + size > this.maxBytes) return false;
    this.items.push(json);
    this.sizes.push(size);
    this.byteCount += size;
    return true;
  }

  /** Takes spans from the head while their JSON list stays within `maxMessageBytes` (at least one). */
  take(maxMessageBytes: number): Batch {
    const spans: string[] = [];
    let sum = 0;
    while (this.head < this.items.length) {
      const size = this.sizes[this.head]!;
      if (spans.length > 0 && listBytes(spans.length + 1, sum + size) > maxMessageBytes) break;
      spans.push(this.items[this.head]!);
      sum += size;
      this.head++;
    }
    this.byteCount -= sum;
    if (this.head === this.items.length) {
      this.items = [];
      this.sizes = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
    return { spans, bytes: listBytes(spans.length, sum) };
  }

  /** Empties the queue; returns how many spans it held. */
  clear(): number {
    const n = this.length;
    this.items = [];
    this.sizes = [];
    this.head = 0;
    this.byteCount = 0;
    return n;
  }
}
