import type { Id } from './id';
import type { MetricImpl, StepValues } from './metrics';
import type {
  Counter,
  DistributionSummary,
  Gauge,
  GaugeSupplier,
  HistogramOptions,
  MetricKind,
  MixinMetric,
  Timer,
} from './types';

/** Creates (and exports) one component of a mixin; supplied by the registry. */
export interface ComponentFactory {
  counter(mixin: MixinImpl, component: string): Counter & MetricImpl;
  timer(mixin: MixinImpl, component: string, options?: HistogramOptions): Timer & MetricImpl;
  distributionSummary(
    mixin: MixinImpl,
    component: string,
    options?: HistogramOptions,
  ): DistributionSummary & MetricImpl;
  gauge(mixin: MixinImpl, component: string, supplier: GaugeSupplier): Gauge & MetricImpl;
}

/** {@link MixinMetric} implementation: components keyed by name, one gateway record for all. */
export class MixinImpl implements MixinMetric, MetricImpl {
  readonly kind = 'mixin' as const;
  readonly noop = false;
  /** Components by name. */
  readonly components = new Map<string, MetricImpl>();

  constructor(
    readonly id: Id,
    private readonly factory: ComponentFactory,
  ) {}

  private existing<T>(component: string, kind: MetricKind): T | undefined {
    const c = this.components.get(component);
    if (!c) return undefined;
    if (c.kind !== kind)
      throw new Error(`Mixin ${this.id.toString()} component "${component}" is a ${c.kind}, not a ${kind}`);
    return c as unknown as T;
  }

  counter(component: string): Counter {
    const found = this.existing<Counter>(component, 'counter');
    if (found) return found;
    const c = this.factory.counter(this, component);
    this.components.set(component, c);
    return c;
  }

  timer(component: string, options?: HistogramOptions): Timer {
    const found = this.existing<Timer>(component, 'timer');
    if (found) return found;
    const c = this.factory.timer(this, component, options);
    this.components.set(component, c);
    return c;
  }

  distributionSummary(component: string, options?: HistogramOptions): DistributionSummary {
    const found = this.existing<DistributionSummary>(component, 'distributionSummary');
    if (found) return found;
    const c = this.factory.distributionSummary(this, component, options);
    this.components.set(component, c);
    return c;
  }

  gauge(component: string, supplier: GaugeSupplier): Gauge {
    const found = this.existing<Gauge>(component, 'gauge');
    if (found) return found;
    const c = this.factory.gauge(this, component, supplier);
    this.components.set(component, c);
    return c;
  }

  drain(stepSeconds: number): StepValues | null {
    let out: StepValues | null = null;
    for (const [name, c] of this.components) {
      const v = c.drain(stepSeconds) as StepValues | null;
      if (!v) continue;
      out ??= {};
      for (const k of Object.keys(v)) out[name + '.' + k] = v[k];
    }
    return out;
  }
}
