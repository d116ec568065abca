import type { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { ResolvedConfig } from '../config/options';
import { bindEmitterToSpan, bindToSpan } from '../context/bind';
import { spanStorage } from '../context/storage';
import { generateTraceId } from '../ids';
import { BIZ_LOG_TYPE } from '../log-types/builtin';
import type { LogTypeDefinition } from '../log-types/log-type';
import { LogTypeRegistry } from '../log-types/registry';
import { FileSelfLog, LogDirectory, writeStaticInfo } from '../log';
import { settleStaticInfo } from '../log/static-info';
import type { SelfLog } from '../log/self-log';
import { limitBaggage, Propagator } from '../propagation';
import { CompositeReporter } from '../reporting/composite-reporter';
import { DigestReporter } from '../reporting/digest-reporter';
import { ListenerSet } from '../reporting/listener-set';
import type { SpanListener } from '../reporting/span-listener';
import { StatReporter } from '../reporting/stat-reporter';
import { createSampler } from '../sampling/create-sampler';
import { PercentageSampler } from '../sampling/percentage-sampler';
import type { Sampler } from '../sampling/sampler';
import { SpanContext } from '../span/span-context';
import type { SpanSink } from '../span/span-sink';
import { epochMsAt } from '../span/clock';
import { TracerSpan } from '../span/tracer-span';
import { localIpv4 } from '../ids/local-ip';
import { installShutdownHooks } from './shutdown-hooks';
import type { Carrier, CarrierFormat, Span, StartSpanOptions, Tracer } from './types';

/** Java's depth limit: past 100 segments the parent is replaced by a fresh root. */
export const MAX_SPAN_DEPTH = 100;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS_ALL = /[\u0000-\u001f\u007f]/g;

/** Test seams of the tracer. */
export interface TracerInternals {
  /** Clock for file rolling and stat times (epoch ms). */
  readonly now?: () => number;
  /** Replaces tracer-self.log (e.g. to capture warnings in tests). */
  readonly selfLog?: SelfLog;
}

/**
 * The SOFATracer tracer: starts spans with SOFA ids, propagates contexts, and reports finished
 * spans to listeners, the digest log (sampled spans) and the stat log (every span).
 */
export class SofaTracer implements Tracer, SpanSink {
  readonly appName: string;
  readonly selfLog: SelfLog;
  /** The log-type registry (plugins call `registerLogType`). */
  readonly registry = new LogTypeRegistry();
  private readonly files: LogDirectory;
  private readonly propagator: Propagator;
  private readonly sampler: Sampler;
  /** The sampler when it is the built-in percentage one (called without building its input). */
  private readonly percentageSampler: PercentageSampler | undefined;
  private readonly listeners: ListenerSet;
  private readonly reporters: CompositeReporter;
  private readonly stat: StatReporter;
  private readonly removeHooks: () => void;
  private closing: Promise<void> | undefined;
  private readonly staticInfo: Promise<void>;

  constructor(
    readonly config: ResolvedConfig,
    internals: TracerInternals = {},
  ) {
    this.appName = config.appName;
    // the clock of the log files, their rolling and the lines stamped with it
    const logClock = internals.now ?? config.logClock;
    this.selfLog =
      internals.selfLog ??
      new FileSelfLog({
        root: config.traceLogDir,
        now: logClock,
        lineSeparator: config.lineSeparator,
        retentionMs: config.retentionMs,
      });
    this.files = new LogDirectory({
      root: config.traceLogDir,
      rolling: config.rollingPolicy,
      rollingOverrides: { ...config.logRolling },
      retentionMs: config.retentionMs,
      retentionOverrides: { ...config.logRetentionMs },
      capacity: config.asyncQueueCapacity,
      lineSeparator: config.lineSeparator,
      discardReportThreshold: config.discardOutThreshold,
      logDiscardedIds: config.logDiscardedIds,
      selfLog: this.selfLog,
      now: logClock,
    });
    const warn = (message: string) => this.selfLog.warn(message);
    this.propagator = new Propagator({
      inject: [...config.propagationInject],
      extract: [...config.propagationExtract],
      bizBaggageMaxLength: config.baggageMaxLength,
      sysBaggageMaxLength: config.sysBaggageMaxLength,
      warn,
    });
    this.sampler = createSampler(config.samplerPercentage, config.sampler, (e) =>
      this.selfLog.error('custom sampler failed; percentage sampler used', e),
    );
    this.percentageSampler = this.sampler instanceof PercentageSampler ? this.sampler : undefined;
    this.listeners = new ListenerSet(this.selfLog);
    for (const l of config.listeners) this.listeners.add(l);
    this.registry.register(BIZ_LOG_TYPE);
    this.reporters = new CompositeReporter(this.selfLog);
    this.reporters.add(
      new DigestReporter(this.registry, this.files, this.selfLog, {
        jsonOutput: config.jsonOutput,
        disableAll: config.disableDigestLog,
        disabled: config.disabledDigestLogs,
      }),
    );
    this.stat = new StatReporter(this.registry, this.files, this.selfLog, {
      jsonOutput: config.jsonOutput,
      intervalMs: config.statLogIntervalMs,
      keyLimit: config.statKeyLimit,
      now: logClock,
    });
    this.reporters.add(this.stat);
    this.removeHooks = config.shutdownHooks ? installShutdownHooks(() => this.close()) : () => undefined;
    if (config.disableDigestLog)
      this.selfLog.info('all digest logs are disabled (disableDigestLog); stat logs are still written');
    for (const t of config.disabledDigestLogs)
      this.selfLog.info(`digest log of "${t}" is disabled (disabledDigestLogs)`);
    this.staticInfo = writeStaticInfo(config.traceLogDir, {
      ip: localIpv4(),
      zone: config.zone,
      selfLog: this.selfLog,
      owner: this,
    });
  }

  startSpan(operationName: string, options: StartSpanOptions = {}): Span {
    const kind = options.kind ?? 'internal';
    const logType = options.logType ?? 'biz';
    const tags = options.tags ? { ...options.tags } : {};
    const parent = this.parentContext(options.childOf);
    // one clock reading gives the duration's origin, the start time and the trace id's time
    const startHr = performance.now();
    const given = typeof options.startTime === 'number' && Number.isFinite(options.startTime);
    const start = given ? (options.startTime as number) : epochMsAt(startHr);
    let ctx: SpanContext;
    if (parent && parent.depth < MAX_SPAN_DEPTH) {
      ctx = new SpanContext(
        parent.traceId,
        parent.nextChildId(),
        parent.spanId,
        parent.sampled,
        parent.sysBaggageSize ? new Map(parent.sysBaggage) : undefined,
        parent.bizBaggageSize ? new Map(parent.bizBaggage) : undefined,
      );
      ctx.traceState = parent.traceState;
      ctx.randomTraceId = parent.randomTraceId;
    } else {
      if (parent) {
        this.selfLog.error(
          `span depth limit ${MAX_SPAN_DEPTH} exceeded under trace ${parent.traceId}; "${operationName}" starts a new trace keeping only biz baggage`,
        );
      }
      const traceId = generateTraceId(given ? undefined : start);
      // the default sampler reads none of the input: no input object per new trace for it
      const decision =
        this.percentageSampler !== undefined
          ? this.percentageSampler.sample()
          : this.sampler.sample({ traceId, operationName, kind, logType, tags });
      if (decision.tags) Object.assign(tags, decision.tags);
      // baggage maps are made on first use: most traces never carry any
      ctx = new SpanContext(
        traceId,
        '0',
        '',
        decision.sampled,
        undefined,
        parent !== undefined && parent.bizBaggageSize !== 0 ? new Map(parent.bizBaggage) : undefined,
      );
    }
    return new TracerSpan(this, ctx, String(operationName), kind, logType, start, tags, startHr);
  }

  withSpan<T>(span: Span | undefined, fn: () => T): T {
    return spanStorage.run(span, fn);
  }

  activeSpan(): Span | undefined {
    return spanStorage.getStore();
  }

  extract(format: CarrierFormat, carrier: Carrier | undefined | null): SpanContext | null {
    if (!carrier) return null;
    try {
      return this.propagator.extract(format, carrier);
    } catch (error) {
      this.selfLog.error('extract failed; a new trace starts', error);
      return null;
    }
  }

  inject(context: SpanContext, format: CarrierFormat, carrier: Carrier): void {
    if (!context || !carrier) return;
    try {
      this.propagator.inject(context, format, carrier);
    } catch (error) {
      this.selfLog.error('inject failed; the call goes out without trace headers', error);
    }
  }

  bind<F extends (...args: never[]) => unknown>(fn: F, span?: Span): F {
    return bindToSpan(fn, span ?? spanStorage.getStore());
  }

  bindEmitter<E extends EventEmitter>(emitter: E, span?: Span): E {
    return bindEmitterToSpan(emitter, span ?? spanStorage.getStore());
  }

  addSpanListener(listener: SpanListener): void {
    this.listeners.add(listener);
  }

  removeSpanListener(listener: SpanListener): void {
    this.listeners.remove(listener);
  }

  registerLogType(definition: LogTypeDefinition): void {
    this.registry.register(definition);
  }

  /** Writer counters per file (written, dropped, failed, queued). */
  fileStats(): ReturnType<LogDirectory['stats']> {
    return this.files.stats();
  }

  /** Prints the stat lines aggregated so far now, without waiting for the interval. */
  printStats(): void {
    this.stat.print();
  }

  flush(): Promise<void> {
    return this.files.flush().then(() => this.selfLog.flush());
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        this.removeHooks();
        await this.reporters.close();
        await this.files.close();
        // a static-info.log write stuck in the kernel must not keep the process alive
        await settleStaticInfo(this.staticInfo, this, 5000);
        await this.selfLog.close();
      })();
    }
    return this.closing;
  }

  /** @internal SpanSink: called once by `span.finish()`. */
  reportSpan(span: TracerSpan): void {
    if (this.listeners.size) this.listeners.notify(span);
    this.reporters.report(span);
  }

  /** @internal SpanSink: biz baggage under the length limit, without control characters. */
  addBizBaggage(span: TracerSpan, key: string, value: string): void {
    if (!key || CONTROL_CHARS.test(key) || CONTROL_CHARS.test(value)) {
      this.selfLog.warn(`baggage item "${sanitize(key)}" dropped: control characters are not allowed`);
      return;
    }
    const biz = span.context().bizBaggage;
    const candidate = new Map(biz);
    candidate.set(key, value);
    const kept = limitBaggage(
      candidate,
      this.config.baggageMaxLength,
      (m) => this.selfLog.warn(m),
      'biz baggage',
    );
    if (kept.get(key) === value) biz.set(key, value);
  }

  private parentContext(childOf: StartSpanOptions['childOf']): SpanContext | undefined {
    if (childOf === null) return undefined;
    if (childOf === undefined) return spanStorage.getStore()?.context();
    if (childOf instanceof SpanContext) return childOf;
    if (typeof (childOf as Span).context === 'function') return (childOf as Span).context();
    return undefined;
  }
}

function sanitize(s: string): string {
  return String(s).replace(CONTROL_CHARS_ALL, '?').slice(0, 64);
}
