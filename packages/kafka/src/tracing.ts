import { Propagator, tryGetTracer, type Carrier, type SpanContext, type Tracer } from '@sofa-tracer/core';
import { KAFKA_CONSUME_LOG_TYPE, KAFKA_SEND_LOG_TYPE } from './log-types';
import type { InstrumentKafkaOptions } from './options';

/**
 * The state every wrapper of one `instrumentKafka()` installation shares: the tracer lookup (log
 * types registered once per tracer), the inject settings, and the on/off switch that turns the
 * wrappers of producers and consumers created while installed into pass-throughs after
 * `uninstall()`.
 */
export class KafkaTracing {
  /** False after `uninstall()`: every wrapper passes straight through. */
  active = true;
  readonly requireParent: boolean;
  /** Removers of the instrumentation-event listeners added to consumers; run by `uninstall()`. */
  readonly cleanups = new Set<() => void>();
  private readonly fixed: Tracer | undefined;
  private readonly registered = new WeakSet<Tracer>();
  private readonly propagators = new WeakMap<Tracer, Propagator>();
  private readonly injectFormats: InstrumentKafkaOptions['injectFormats'];
  private readonly noticed = new Set<string>();
  /** Notices waiting for a tracer (a client created before `init()`). */
  private pending: string[] = [];

  constructor(options: InstrumentKafkaOptions) {
    this.fixed = options.tracer;
    this.requireParent = options.requireParent === true;
    this.injectFormats = options.injectFormats;
  }

  /** The tracer when installed and one runs; never throws. */
  tracer(): Tracer | undefined {
    if (!this.active) return undefined;
    try {
      const t = this.fixed ?? tryGetTracer();
      if (t !== undefined && !this.registered.has(t)) {
        this.registered.add(t);
        t.registerLogType(KAFKA_SEND_LOG_TYPE);
        t.registerLogType(KAFKA_CONSUME_LOG_TYPE);
      }
      if (t !== undefined && this.pending.length > 0) this.flushNotices(t);
      return t;
    } catch {
      return undefined;
    }
  }

  /** Writes `context` into `headers` as a text map (Java's Kafka headers: no URL-encoding). */
  inject(tracer: Tracer, context: SpanContext, headers: Carrier): void {
    if (this.injectFormats === undefined) {
      tracer.inject(context, 'text_map', headers);
      return;
    }
    let p = this.propagators.get(tracer);
    if (p === undefined) {
      p = new Propagator({ inject: this.injectFormats, warn: (m) => tracer.selfLog.warn(m) });
      this.propagators.set(tracer, p);
    }
    p.inject(context, 'text_map', headers);
  }

  /**
   * One `tracer-self.log` info line per distinct `key` and installation; kept until a tracer runs
   * when none does yet.
   */
  notice(message: string, key: string = message): void {
    if (this.noticed.has(key)) return;
    this.noticed.add(key);
    this.pending.push(message);
    if (this.active) this.tracer(); // flushes when a tracer runs
  }

  private flushNotices(tracer: Tracer): void {
    const messages = this.pending;
    this.pending = [];
    for (const m of messages) {
      try {
        tracer.selfLog.info(m);
      } catch {
        // nothing more to do
      }
    }
  }

  /** Reports a fault of the instrumentation itself (never thrown into the application). */
  fault(tracer: Tracer, what: string, error: unknown): void {
    try {
      tracer.selfLog.error(`kafka: ${what}`, error);
    } catch {
      // nothing more to do
    }
  }
}
