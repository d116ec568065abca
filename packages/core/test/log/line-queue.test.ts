import { LineQueue } from '../../src/log/line-queue';

describe('LineQueue', () => {
  it('keeps FIFO order across the ring wrap-around and refuses lines when full', () => {
    const q = new LineQueue(4);
    expect(['a', 'b', 'c'].map((l) => q.push(l))).toEqual([true, true, true]);
    expect(q.take('\n', 2, Infinity)).toEqual({ text: 'a\nb\n', taken: 2 });
    expect(['d', 'e', 'f', 'g'].map((l) => q.push(l))).toEqual([true, true, true, false]);
    expect(q.size).toBe(4);
    expect(q.take('|', 100, Infinity)).toEqual({ text: 'c|d|e|f|', taken: 4 });
    expect(q.size).toBe(0);
    expect(q.take('|', 100, Infinity)).toEqual({ text: '', taken: 0 });
  });

  it('stops a batch once the character budget is reached, and clears', () => {
    const q = new LineQueue(10);
    for (const l of ['12345', '67890', 'abc']) q.push(l);
    expect(q.take('\n', 100, 6)).toEqual({ text: '12345\n67890\n', taken: 2 });
    q.push('x');
    expect(q.clear()).toBe(2);
    expect(q.size).toBe(0);
    expect(q.push('y')).toBe(true);
    expect(q.take('', 1, 1)).toEqual({ text: 'y', taken: 1 });
  });
});
