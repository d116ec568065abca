/** Prometheus metric types a Lookout family can have. */
export type FamilyType = 'counter' | 'gauge' | 'histogram';

/** One exposition sample, in the shape prom-client's Registry serialises. */
export interface PromSample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** Appends one member's samples to `out` at scrape time. */
export type SampleWriter = (family: PromFamily, out: PromSample[]) => void;

/**
 * One Prometheus metric family made of Lookout metrics that share a sanitised name. It implements
 * the duck-typed metric interface prom-client's `Registry` serialises (`name`, `help`, `type`,
 * `get()`), so it sits in the same registry as prom-client's own metrics. Samples are built only
 * at scrape time; recording never touches this object.
 *
 * Each sample carries exactly its own metric's tags: Lookout Ids with different tag keys may share
 * a family. Prometheus treats a missing label as an empty one, so this equals a union label set
 * filled with `""` without writing the empty pairs.
 */
export class PromFamily {
  /** prom-client's cluster aggregation mode. */
  readonly aggregator = 'sum';
  private readonly writers = new Map<object, SampleWriter>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: FamilyType,
  ) {}

  /** Adds (or replaces) the sample writer of one member. */
  add(member: object, writer: SampleWriter): void {
    this.writers.set(member, writer);
  }

  /** Removes a member; returns true when the family became empty. */
  remove(member: object): boolean {
    this.writers.delete(member);
    return this.writers.size === 0;
  }

  /** Number of members. */
  get size(): number {
    return this.writers.size;
  }

  /** prom-client's collection entry point. */
  async get(): Promise<{
    name: string;
    help: string;
    type: FamilyType;
    values: PromSample[];
    aggregator: string;
  }> {
    const values: PromSample[] = [];
    for (const write of this.writers.values()) {
      try {
        write(this, values);
      } catch {
        // A broken gauge supplier must not break the whole scrape; its sample is just missing.
      }
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** Called by `Registry.resetMetrics()`; Lookout metrics own their values, nothing to reset here. */
  reset(): void {}
}
