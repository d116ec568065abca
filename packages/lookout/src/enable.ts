import type { AddressInfo } from 'node:net';
import { localIpv4, resolveTracer, tryGetTracer } from '@sofa-tracer/core';
import type * as prom from 'prom-client';
import { Registry } from './api/registry';
import type { LookoutLogger } from './api/types';
import { buildCommonTags } from './common-tags';
import {
  resolveLookoutConfig,
  type LookoutOptions,
  type ResolvedLookoutConfig,
  type TracerLike,
} from './config';
import { GatewayReporter } from './export/gateway';
import {
  createKoaMetricsMiddleware,
  createMetricsHandler,
  type KoaLikeContext,
  type MetricsHandler,
} from './export/metrics-handler';
import { MetricsServer } from './export/metrics-server';
import { PushgatewayPusher } from './export/pushgateway';
import { renderExposition, type Exposition } from './prom/exposition';
import { registerRuntimeMetrics } from './runtime/runtime-metrics';
import { registerLogFileMetrics } from './runtime/log-file-metrics';
import { SpanMetricsListener } from './spans/span-metrics';
import { KafkaMetrics } from './kafka/kafka-metrics';

/** What {@link enableLookout} returns. */
export interface Lookout {
  /** The Lookout registry: create your own counters, timers, gauges… */
  readonly registry: Registry;
  /** The prom-client registry behind it (add prom-client metrics of your own here). */
  readonly prometheus: prom.Registry;
  /** Resolved configuration. */
  readonly config: Readonly<ResolvedLookoutConfig>;
  /** Mount on your own node:http / express server: `app.get('/metrics', lookout.handler)`. */
  readonly handler: MetricsHandler;
  /** Mount on koa: `router.get('/metrics', lookout.koaMiddleware)`. */
  readonly koaMiddleware: (ctx: KoaLikeContext) => Promise<void>;
  /** The span listener (undefined when span metrics are off or no tracer was available). */
  readonly spanListener: SpanMetricsListener | undefined;
  /** Kafka metrics (undefined when off): rates and latency from Kafka spans, lag from `@sofa-tracer/kafka`'s channels. */
  readonly kafkaMetrics: KafkaMetrics | undefined;
  /** The Lookout gateway reporter, when configured. */
  readonly gateway: GatewayReporter | undefined;
  /** The Pushgateway pusher, when configured. */
  readonly pushgateway: PushgatewayPusher | undefined;
  /** Resolves with the /metrics server address, or null (server off or port unavailable). */
  address(): Promise<AddressInfo | null>;
  /** The exposition as the /metrics endpoint would serve it for this `Accept` header. */
  metrics(accept?: string): Promise<Exposition>;
  /** Detaches the span listener, stops the server and timers, pushes a last time. Idempotent. */
  close(): Promise<void>;
}

const processWarningLogger: LookoutLogger = {
  warn(message: string) {
    process.emitWarning(message, { code: 'SOFA_LOOKOUT' });
  },
};

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function findTracer(
  option: TracerLike | false | undefined,
  appName: string | undefined,
  warnings: string[],
): TracerLike | undefined {
  if (option === false) return undefined;
  if (option) return option;
  try {
    return tryGetTracer() ?? resolveTracer(appName ? { appName } : {});
  } catch (err) {
    warnings.push(
      'no tracer available, span metrics are off: ' + (err instanceof Error ? err.message : String(err)),
    );
    return undefined;
  }
}

/**
 * Turns on Lookout metrics: a registry backed by prom-client, RED metrics from every finished
 * span of the core tracer, Node runtime metrics, `/metrics` on port 9494 (Prometheus text or
 * OpenMetrics by `Accept`), and optionally a Lookout gateway and a Pushgateway push.
 * Every timer is unref'd; `close()` stops everything.
 */
export function enableLookout(options: LookoutOptions = {}): Lookout {
  const warnings: string[] = [];
  const config = resolveLookoutConfig(options, process.env, (m) => warnings.push(m));
  const tracer =
    config.spanMetrics || options.tracer ? findTracer(options.tracer, config.appName, warnings) : undefined;
  const logger: LookoutLogger =
    options.logger ?? (tracer?.selfLog ? { warn: (m) => tracer.selfLog!.warn(m) } : processWarningLogger);
  for (const w of warnings) logger.warn('sofa-lookout: ' + w);

  const appName = config.appName ?? tracer?.appName ?? process.env.SOFA_TRACER_APP_NAME ?? 'unknown';
  const ip = localIpv4(); // the address in trace ids and static-info.log
  const registry = new Registry({
    maxMetrics: config.maxMetrics,
    commonTags: buildCommonTags(appName, config.zone, config.instanceId, options.commonTags, ip),
    prometheus: options.prometheus,
    timerBuckets: options.timerBuckets,
    stepMs: options.stepMs,
    logger,
  });

  if (config.runtimeMetrics) registerRuntimeMetrics(registry.prometheus, logger);
  if (config.logFileMetrics && tracer) registerLogFileMetrics(registry.prometheus, tracer, logger);

  let spanListener: SpanMetricsListener | undefined;
  if (config.spanMetrics && tracer) {
    spanListener = new SpanMetricsListener(registry, config.spanMetrics);
    tracer.addSpanListener(spanListener);
  }

  let kafkaMetrics: KafkaMetrics | undefined;
  if (config.kafkaMetrics) {
    kafkaMetrics = new KafkaMetrics(registry, config.kafkaMetrics).subscribe();
    if (tracer) tracer.addSpanListener(kafkaMetrics);
  }

  const server =
    config.port === false
      ? undefined
      : new MetricsServer(
          registry.prometheus,
          { port: config.port, host: config.host, path: config.path },
          logger,
        );

  let gateway: GatewayReporter | undefined;
  if (config.gateway) {
    try {
      gateway = new GatewayReporter(registry, config.gateway, logger, ip);
      gateway.start();
    } catch (err) {
      // A bad address (often from the environment) must not stop the app: no push, one warning.
      logger.warn(
        `sofa-lookout: Lookout gateway push disabled, address ${JSON.stringify(config.gateway.address)} unusable: ${errorText(err)}`,
      );
    }
  }

  let pushgateway: PushgatewayPusher | undefined;
  if (config.pushgateway) {
    try {
      new URL(config.pushgateway.url);
      const jobName = config.pushgateway.jobName ?? appName;
      pushgateway = new PushgatewayPusher(registry.prometheus, { ...config.pushgateway, jobName }, logger);
    } catch (err) {
      logger.warn(
        `sofa-lookout: Pushgateway push disabled, URL ${JSON.stringify(config.pushgateway.url)} unusable: ${errorText(err)}`,
      );
    }
  }

  let closing: Promise<void> | undefined;
  return {
    registry,
    prometheus: registry.prometheus,
    config,
    handler: createMetricsHandler(registry.prometheus),
    koaMiddleware: createKoaMetricsMiddleware(registry.prometheus),
    spanListener,
    kafkaMetrics,
    gateway,
    pushgateway,
    address: () => (server ? server.ready : Promise.resolve(null)),
    metrics: (accept) => renderExposition(registry.prometheus, accept),
    close() {
      closing ??= (async () => {
        if (spanListener && tracer) tracer.removeSpanListener(spanListener);
        if (kafkaMetrics) {
          kafkaMetrics.close();
          if (tracer) tracer.removeSpanListener(kafkaMetrics);
        }
        await Promise.all([server?.close(), gateway?.stop(), pushgateway?.close()]);
      })();
      return closing;
    },
  };
}
