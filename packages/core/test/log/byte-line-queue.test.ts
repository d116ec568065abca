import { ByteLineQueue } from '../../src/log/byte-line-queue';

const NL = Buffer.from('\n');

function drain(q: ByteLineQueue): { text: string; lines: number; batches: number } {
  let text = '';
  let lines = 0;
  let batches = 0;
  for (let b = q.take(); b !== undefined; b = q.take()) {
    // A batch is a view from the start of a buffer the queue let go of (transferable).
    expect(b.bytes.byteOffset).toBe(0);
    text += b.bytes.toString('utf8');
    lines += b.lines;
    batches++;
  }
  return { text, lines, batches };
}

describe('ByteLineQueue', () => {
  it('keeps FIFO order across chunks and refuses lines when full', () => {
    const q = new ByteLineQueue(4, NL);
    expect(['a', 'b', 'c'].map((l) => q.push(l))).toEqual([true, true, true]);
    expect(q.size).toBe(3);
    expect(drain(q)).toEqual({ text: 'a\nb\nc\n', lines: 3, batches: 1 });
    expect(['d', 'é', 'f', 'g', 'h'].map((l) => q.push(l))).toEqual([true, true, true, true, false]);
    expect(q.begin()).toBe(false);
    expect(drain(q).text).toBe('d\né\nf\ng\n');
    expect(q.size).toBe(0);
    expect(q.take()).toBeUndefined();
  });

  it('moves a line that does not fit to the next chunk whole, and chunks grow', () => {
    const q = new ByteLineQueue(100_000, Buffer.from('\r\n'));
    const expected: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const line = `line ${i} ` + 'z'.repeat(i % 97);
      expected.push(line);
      // written in pieces, as an encoder does
      expect(q.begin()).toBe(true);
      q.ascii(`line ${i} `);
      q.utf8('z'.repeat(i % 97));
      q.end();
    }
    expect(q.hasFullChunk).toBe(true);
    const out = drain(q);
    expect(out.lines).toBe(20_000);
    expect(out.text).toBe(expected.join('\r\n') + '\r\n');
    // 16 KiB first, doubling to 256 KiB: far fewer batches than lines
    expect(out.batches).toBeGreaterThan(3);
    expect(out.batches).toBeLessThan(20);
  });

  it('holds a line longer than any chunk in a buffer of its own', () => {
    const q = new ByteLineQueue(10, NL);
    q.push('short');
    const huge = 'h'.repeat(600 * 1024);
    q.push(huge);
    q.push('after');
    const out = drain(q);
    expect(out.lines).toBe(3);
    expect(out.text === 'short\n' + huge + '\nafter\n').toBe(true); // (no 600 KiB diff on failure)
  });

  it('aborts a line being written, and clear() discards queued lines only', () => {
    const q = new ByteLineQueue(10, NL);
    q.push('kept');
    q.begin();
    q.ascii('half a li');
    q.abort();
    q.push('next');
    expect(q.clear()).toBe(2);
    expect(q.size).toBe(0);
    q.push('y');
    expect(drain(q)).toEqual({ text: 'y\n', lines: 1, batches: 1 });
  });

  it('reuses a written chunk for the next lines', () => {
    const q = new ByteLineQueue(10, NL);
    q.push('one');
    const first = q.take()!;
    q.recycle(first.bytes);
    q.push('two');
    const second = q.take()!;
    expect(second.bytes.buffer).toBe(first.bytes.buffer);
    expect(second.bytes.toString()).toBe('two\n');
  });
});
