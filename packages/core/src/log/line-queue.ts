/**
 * A fixed-capacity FIFO of lines (a ring buffer): pushing never allocates, and a full queue refuses
 * the line instead of growing. Slots are cleared when taken so written lines can be collected.
 */
export class LineQueue {
  private readonly slots: (string | undefined)[];
  private head = 0;
  private count = 0;

  /** @param capacity maximum number of lines held. */
  constructor(readonly capacity: number) {
    this.slots = new Array<string | undefined>(capacity);
  }

  /** Lines held now. */
  get size(): number {
    return this.count;
  }

  /** Adds a line at the end; false (line not kept) when full. */
  push(line: string): boolean {
    if (this.count >= this.capacity) return false;
    let tail = this.head + this.count;
    if (tail >= this.capacity) tail -= this.capacity;
    this.slots[tail] = line;
    this.count++;
    return true;
  }

  /**
   * Removes lines from the front, at most `maxLines` and stopping once `maxChars` characters are
   * taken, and returns them joined, each followed by `separator`. `taken` tells how many.
   */
  take(separator: string, maxLines: number, maxChars: number): { text: string; taken: number } {
    let n = 0;
    let chars = 0;
    let text = '';
    let i = this.head;
    while (n < this.count && n < maxLines && chars < maxChars) {
      const line = this.slots[i] as string;
      this.slots[i] = undefined;
      text += line + separator;
      chars += line.length;
      n++;
      if (++i === this.capacity) i = 0;
    }
    this.head = i;
    this.count -= n;
    return { text, taken: n };
  }

  /** Empties the queue; returns how many lines were discarded. */
  clear(): number {
    const n = this.count;
    let i = this.head;
    for (let k = 0; k < n; k++) {
      this.slots[i] = undefined;
      if (++i === this.capacity) i = 0;
    }
    this.head = i;
    this.count = 0;
    return n;
  }
}
