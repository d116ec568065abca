/**
 * @sofa-tracer/lookout — SOFALookout-style metrics on prom-client: a Lookout registry, RED metrics
 * from every finished span, Node runtime metrics, `/metrics` (Prometheus text / OpenMetrics), and
 * push to a Lookout gateway or a Prometheus Pushgateway.
 */
export { enableLookout, type Lookout } from './enable';
export {
  resolveLookoutConfig,
  type LookoutOptions,
  type ResolvedLookoutConfig,
  type TracerLike,
} from './config';
export { Id, PRIORITY_TAG, PRIORITIES, type Priority, type TagInput, type TagsInput } from './api/id';
export { Registry, DEFAULT_TIMER_BUCKETS, DEFAULT_STEPS, type RegistryOptions } from './api/registry';
export type {
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
  TimeUnit,
  Timer,
} from './api/types';
export { sanitizeMetricName, sanitizeLabelName } from './prom/naming';
export {
  negotiateFormat,
  renderExposition,
  renderOpenMetrics,
  PROMETHEUS_CONTENT_TYPE,
  OPENMETRICS_CONTENT_TYPE,
  type Exposition,
  type ExpositionFormat,
} from './prom/exposition';
export {
  createMetricsHandler,
  createKoaMetricsMiddleware,
  type MetricsHandler,
  type KoaLikeContext,
} from './export/metrics-handler';
export { MetricsServer, type MetricsServerOptions } from './export/metrics-server';
export {
  GatewayReporter,
  REPORT_COUNT,
  REPORT_FAIL_COUNT,
  REPORT_DROP_COUNT,
  type GatewayOptions,
  type GatewayStats,
} from './export/gateway';
export { TYPE_CODES } from './export/gateway-records';
export { PushgatewayPusher, type PushgatewayOptions } from './export/pushgateway';
export { registerRuntimeMetrics, ELU_METRIC } from './runtime/runtime-metrics';
export { SpanMetricsListener, LABEL_OVERFLOW_METRIC, type SpanMetricsOptions } from './spans/span-metrics';
export { OVERFLOW_VALUE } from './spans/label-guard';
export {
  registerZipkinMetrics,
  ZIPKIN_DROP_METRIC,
  ZIPKIN_QUEUE_METRIC,
  type ZipkinDropSource,
} from './reporters/zipkin-metrics';
export {
  KafkaMetrics,
  KAFKA_METRICS,
  DEFAULT_LATENCY_BUCKETS,
  type KafkaMetricsOptions,
} from './kafka/kafka-metrics';
export { ConsumerLag, KAFKA_LAG_METRICS } from './kafka/consumer-lag';
