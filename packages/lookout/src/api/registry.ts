import * as prom from 'prom-client';
import { PromFamily, type FamilyType, type PromSample } from '../prom/family';
import { sanitizeLabelName, sanitizeMetricName, toLabels, withSuffix } from '../prom/naming';
import { writeHistogram } from '../prom/writers';
import { Id, type Priority, type TagsInput } from './id';
import {
  CounterImpl,
  GaugeImpl,
  HistogramStore,
  InfoImpl,
  normalizeBuckets,
  SummaryImpl,
  TimerImpl,
  type MetricImpl,
} from './metrics';
import { MixinImpl, type ComponentFactory } from './mixin';
import { noopCounter, noopGauge, noopInfo, noopMixin, noopSummary, noopTimer } from './noop';
import type {
  Counter,
  DescribeOptions,
  DistributionSummary,
  Gauge,
  GaugeSupplier,
  HistogramOptions,
  Info,
  LookoutLogger,
  Metric,
  MetricKind,
  MixinMetric,
  Timer,
} from './types';

/** prom-client's default histogram buckets, in seconds. */
export const DEFAULT_TIMER_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Java Lookout's step per priority, in ms. */
export const DEFAULT_STEPS: Readonly<Record<Priority, number>> = { high: 2000, normal: 30000, low: 60000 };

/** Options of a {@link Registry}. */
export interface RegistryOptions {
  /** Max metrics (Ids) in the registry; past it metrics are no-ops and one warning is logged. Default 3000. */
  maxMetrics?: number;
  /** Tags added to every exported series unless the metric has its own tag of that key. */
  commonTags?: Readonly<Record<string, string>>;
  /** The prom-client registry to export into; default a new one. */
  prometheus?: prom.Registry;
  /** Default timer buckets (seconds). */
  timerBuckets?: readonly number[];
  /** Default distribution-summary buckets; default none (only `+Inf`). */
  summaryBuckets?: readonly number[];
  /** Step per priority (ms): gateway reporting interval and the window of `max`. */
  stepMs?: Partial<Record<Priority, number>>;
  /** Where the one max-metrics warning goes; default `process.emitWarning`. */
  logger?: LookoutLogger;
}

interface Entry {
  readonly metric: Metric & MetricImpl;
  /** Families this metric writes into, and the member key it used. */
  readonly bindings: [PromFamily, object][];
}

const defaultLogger: LookoutLogger = {
  warn(message: string) {
    process.emitWarning(message, { code: 'SOFA_LOOKOUT' });
  },
};

/**
 * The Lookout registry (Java `com.alipay.lookout.api.Registry`) backed by a prom-client registry:
 * metrics are created by Id, exported to Prometheus exposition (HELP/TYPE, sanitised names) and
 * read by the gateway reporter.
 *
 * Rules: asking again with an equal Id returns the same metric; asking with an Id already used by
 * another kind throws; two metrics whose Prometheus family names collide with different types
 * throw too. Past `maxMetrics` new metrics are no-ops (one warning).
 */
export class Registry {
  /** The prom-client registry everything is exported into. */
  readonly prometheus: prom.Registry;
  /** Common tags (`app`, `host`, `ip`, …) as given. */
  readonly commonTags: Readonly<Record<string, string>>;
  /** Max metrics. */
  readonly maxMetrics: number;
  /** Step per priority, ms. */
  readonly stepMs: Readonly<Record<Priority, number>>;
  private readonly entries = new Map<string, Entry>();
  private readonly families = new Map<string, PromFamily>();
  private readonly timerBuckets: Float64Array;
  private readonly summaryBuckets: Float64Array;
  private readonly logger: LookoutLogger;
  private warnedLimit = false;
  private readonly components: ComponentFactory;

  constructor(options: RegistryOptions = {}) {
    this.prometheus = options.prometheus ?? new prom.Registry();
    this.maxMetrics =
      options.maxMetrics !== undefined && options.maxMetrics >= 0 ? Math.floor(options.maxMetrics) : 3000;
    this.timerBuckets = normalizeBuckets(options.timerBuckets ?? DEFAULT_TIMER_BUCKETS);
    this.summaryBuckets = normalizeBuckets(options.summaryBuckets ?? []);
    this.stepMs = { ...DEFAULT_STEPS, ...options.stepMs };
    this.logger = options.logger ?? defaultLogger;
    const common: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.commonTags ?? {}))
      if (v !== undefined && v !== null && v !== '') common[k] = String(v);
    this.commonTags = Object.freeze(common);
    // Labels the given prom-client registry already has by default are kept and win over ours.
    const existing =
      (this.prometheus as unknown as { _defaultLabels?: Record<string, string> })._defaultLabels ?? {};
    this.prometheus.setDefaultLabels({ ...toLabels(new Map(Object.entries(common))), ...existing });
    this.components = this.componentFactory();
  }

  /** An Id (name + sorted tags). */
  createId(name: string, tags?: TagsInput): Id {
    return new Id(name, tags);
  }

  /** Number of (real) metrics. */
  get size(): number {
    return this.entries.size;
  }

  /** The metric registered under this Id, if any. */
  get(id: Id): Metric | undefined {
    return this.entries.get(id.key)?.metric;
  }

  /** Every registered metric (for reporters). */
  metrics(): IterableIterator<Metric & MetricImpl> {
    const it = this.entries.values();
    return (function* () {
      for (const e of it) yield e.metric;
    })();
  }

  /** Removes a metric and its series; returns it, or undefined when absent. */
  removeMetric(id: Id): Metric | undefined {
    const e = this.entries.get(id.key);
    if (!e) return undefined;
    this.entries.delete(id.key);
    for (const [family, member] of e.bindings) {
      if (family.remove(member)) {
        this.families.delete(family.name);
        this.prometheus.removeSingleMetric(family.name);
      }
    }
    return e.metric;
  }

  /** A counter: Prometheus `<name>_total`. */
  counter(id: Id | string, options?: DescribeOptions): Counter {
    const key = this.toId(id);
    return this.getOrCreate(key, 'counter', noopCounter, (bindings) => {
      const c = new CounterImpl(key);
      this.bindCounter(c, sanitizeMetricName(key.name), key, options?.description, bindings);
      return c;
    });
  }

  /** A timer: Prometheus histogram `<name>_seconds` + gauge `<name>_seconds_max`. */
  timer(id: Id | string, options?: HistogramOptions): Timer {
    const key = this.toId(id);
    return this.getOrCreate(key, 'timer', noopTimer, (bindings) => {
      const t = new TimerImpl(key, this.store(key, options?.buckets, this.timerBuckets));
      this.bindHistogram(
        t.store,
        t,
        withSuffix(sanitizeMetricName(key.name), 'seconds'),
        key,
        options?.description ?? `Lookout timer ${key.name} (seconds)`,
        bindings,
      );
      return t;
    });
  }

  /** A distribution summary: Prometheus histogram `<name>` + gauge `<name>_max`. */
  distributionSummary(id: Id | string, options?: HistogramOptions): DistributionSummary {
    const key = this.toId(id);
    return this.getOrCreate(key, 'distributionSummary', noopSummary, (bindings) => {
      const s = new SummaryImpl(key, this.store(key, options?.buckets, this.summaryBuckets));
      this.bindHistogram(
        s.store,
        s,
        sanitizeMetricName(key.name),
        key,
        options?.description ?? `Lookout distribution summary ${key.name}`,
        bindings,
      );
      return s;
    });
  }

  /** A gauge sampled at export time: Prometheus gauge `<name>`. */
  gauge(id: Id | string, supplier: GaugeSupplier, options?: DescribeOptions): Gauge {
    const key = this.toId(id);
    return this.getOrCreate(key, 'gauge', noopGauge, (bindings) => {
      const g = new GaugeImpl(key, supplier);
      this.bindGauge(g, sanitizeMetricName(key.name), key, options?.description, bindings);
      return g;
    });
  }

  /** Static information: Prometheus gauge `<name>_info` = 1 with the fields as labels. */
  info(
    id: Id | string,
    supplier: () => Readonly<Record<string, string | number | boolean>>,
    options?: DescribeOptions,
  ): Info {
    const key = this.toId(id);
    return this.getOrCreate(key, 'info', noopInfo, (bindings) => {
      const info = new InfoImpl(key, supplier);
      const labels = toLabels(key.tags);
      const family = this.family(
        withSuffix(sanitizeMetricName(key.name), 'info'),
        'gauge',
        options?.description ?? `Lookout info ${key.name}`,
      );
      family.add(info, (_f, out) => {
        const fields: Record<string, string> = {};
        for (const [k, v] of Object.entries(info.value())) {
          const name = sanitizeLabelName(k);
          if (name && !(name in labels)) fields[name] = String(v);
        }
        out.push({ labels: { ...labels, ...fields }, value: 1 });
      });
      bindings.push([family, info]);
      return info;
    });
  }

  /** A mixin of named components sharing one Id. */
  mixinMetric(id: Id | string): MixinMetric {
    const key = this.toId(id);
    return this.getOrCreate(key, 'mixin', noopMixin, () => new MixinImpl(key, this.components));
  }

  private toId(id: Id | string): Id {
    return typeof id === 'string' ? new Id(id) : id;
  }

  private store(id: Id, buckets: readonly number[] | undefined, fallback: Float64Array): HistogramStore {
    return new HistogramStore(buckets ? normalizeBuckets(buckets) : fallback, this.stepMs[id.priority]);
  }

  private getOrCreate<T extends Metric>(
    id: Id,
    kind: MetricKind,
    noop: (id: Id) => T,
    create: (bindings: [PromFamily, object][]) => T & MetricImpl,
  ): T {
    const e = this.entries.get(id.key);
    if (e) {
      if (e.metric.kind !== kind)
        throw new Error(
          `Lookout metric ${id.toString()} is already registered as a ${e.metric.kind}; cannot use it as a ${kind}`,
        );
      return e.metric as unknown as T;
    }
    if (this.entries.size >= this.maxMetrics) {
      if (!this.warnedLimit) {
        this.warnedLimit = true;
        this.logger.warn(
          `Lookout registry reached its limit of ${this.maxMetrics} metrics (lookout.max.metrics.number); new metrics such as ${id.toString()} are no-ops`,
        );
      }
      return noop(id);
    }
    const bindings: [PromFamily, object][] = [];
    let metric: T & MetricImpl;
    try {
      metric = create(bindings);
    } catch (err) {
      for (const [family, member] of bindings) if (family.remove(member)) this.dropFamily(family);
      throw err;
    }
    this.entries.set(id.key, { metric, bindings });
    return metric;
  }

  private dropFamily(family: PromFamily): void {
    this.families.delete(family.name);
    this.prometheus.removeSingleMetric(family.name);
  }

  private family(name: string, type: FamilyType, help: string): PromFamily {
    const existing = this.families.get(name);
    if (existing) {
      if (existing.type !== type)
        throw new Error(
          `Prometheus metric ${name} is already a ${existing.type}; a Lookout metric exporting a ${type} under that name is not allowed`,
        );
      return existing;
    }
    if (this.prometheus.getSingleMetric(name))
      throw new Error(`Prometheus metric ${name} is already registered outside Lookout`);
    const family = new PromFamily(name, help, type);
    this.prometheus.registerMetric(family as unknown as prom.Metric);
    this.families.set(name, family);
    return family;
  }

  private bindCounter(
    c: CounterImpl,
    base: string,
    id: Id,
    description: string | undefined,
    bindings: [PromFamily, object][],
  ): void {
    const labels = toLabels(id.tags);
    const family = this.family(
      withSuffix(base, 'total'),
      'counter',
      description ?? `Lookout counter ${id.name}`,
    );
    family.add(c, (_f, out: PromSample[]) => void out.push({ labels: { ...labels }, value: c.total }));
    bindings.push([family, c]);
  }

  private bindGauge(
    g: GaugeImpl,
    name: string,
    id: Id,
    description: string | undefined,
    bindings: [PromFamily, object][],
  ): void {
    const labels = toLabels(id.tags);
    const family = this.family(name, 'gauge', description ?? `Lookout gauge ${id.name}`);
    family.add(g, (_f, out) => {
      // A supplier that threw (NaN) loses its sample rather than exporting a meaningless value.
      const value = g.value();
      if (!Number.isNaN(value)) out.push({ labels: { ...labels }, value });
    });
    bindings.push([family, g]);
  }

  private bindHistogram(
    store: HistogramStore,
    member: object,
    name: string,
    id: Id,
    help: string,
    bindings: [PromFamily, object][],
  ): void {
    const labels = toLabels(id.tags);
    const hist = this.family(name, 'histogram', help);
    hist.add(member, (f, out) => writeHistogram(f, labels, store, out));
    bindings.push([hist, member]);
    const max = this.family(name + '_max', 'gauge', `Largest value of ${id.name} over the last step`);
    max.add(member, (_f, out) => void out.push({ labels: { ...labels }, value: store.max() }));
    bindings.push([max, member]);
  }

  private componentFactory(): ComponentFactory {
    const base = (mixin: MixinImpl, component: string): string =>
      sanitizeMetricName(mixin.id.name + '.' + component);
    const entryOf = (mixin: MixinImpl): [PromFamily, object][] =>
      this.entries.get(mixin.id.key)?.bindings ?? [];
    return {
      counter: (mixin, component) => {
        const c = new CounterImpl(mixin.id);
        this.bindCounter(c, base(mixin, component), mixin.id, undefined, entryOf(mixin));
        return c;
      },
      timer: (mixin, component, options) => {
        const t = new TimerImpl(mixin.id, this.store(mixin.id, options?.buckets, this.timerBuckets));
        this.bindHistogram(
          t.store,
          t,
          withSuffix(base(mixin, component), 'seconds'),
          mixin.id,
          options?.description ?? `Lookout timer ${mixin.id.name}.${component} (seconds)`,
          entryOf(mixin),
        );
        return t;
      },
      distributionSummary: (mixin, component, options) => {
        const s = new SummaryImpl(mixin.id, this.store(mixin.id, options?.buckets, this.summaryBuckets));
        this.bindHistogram(
          s.store,
          s,
          base(mixin, component),
          mixin.id,
          options?.description ?? `Lookout distribution summary ${mixin.id.name}.${component}`,
          entryOf(mixin),
        );
        return s;
      },
      gauge: (mixin, component, supplier) => {
        const g = new GaugeImpl(mixin.id, supplier);
        this.bindGauge(g, base(mixin, component), mixin.id, undefined, entryOf(mixin));
        return g;
      },
    };
  }
}
