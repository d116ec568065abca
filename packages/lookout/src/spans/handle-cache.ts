type Level<T> = Map<string, T>;

/**
 * Metric handles keyed by five label values, as nested Maps: a lookup allocates nothing (no key
 * string is built per span), which keeps the span listener's steady state allocation-free.
 */
export class HandleCache<T> {
  private readonly root: Level<Level<Level<Level<Level<T>>>>> = new Map();

  get(a: string, b: string, c: string, d: string, e: string): T | undefined {
    const l1 = this.root.get(a);
    if (l1 === undefined) return undefined;
    const l2 = l1.get(b);
    if (l2 === undefined) return undefined;
    const l3 = l2.get(c);
    if (l3 === undefined) return undefined;
    const l4 = l3.get(d);
    return l4 === undefined ? undefined : l4.get(e);
  }

  set(a: string, b: string, c: string, d: string, e: string, value: T): void {
    let l1 = this.root.get(a);
    if (l1 === undefined) this.root.set(a, (l1 = new Map()));
    let l2 = l1.get(b);
    if (l2 === undefined) l1.set(b, (l2 = new Map()));
    let l3 = l2.get(c);
    if (l3 === undefined) l2.set(c, (l3 = new Map()));
    let l4 = l3.get(d);
    if (l4 === undefined) l3.set(d, (l4 = new Map()));
    l4.set(e, value);
  }
}
