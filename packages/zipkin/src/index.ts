/**
 * @sofa-tracer/zipkin — sends SOFATracer spans to Zipkin v2 (`POST /api/v2/spans`, JSON), or to
 * anything that takes Zipkin v2 JSON (Jaeger, Tempo, the OpenTelemetry collector), off the request
 * path, with a bounded queue, timeouts, bounded retries and exact drop counts.
 */
export { enableZipkin } from './enable';
export { zipkinReporter, type ZipkinReporter, type ZipkinStats } from './reporter';
export { resolveZipkinConfig, type ZipkinOptions, type ResolvedZipkinConfig } from './config';
export { DROP_REASONS, type DropReason, type DropListener } from './drops';
export {
  toZipkinSpan,
  encodeZipkinSpan,
  localEndpointJson,
  zipkinTraceId,
  zipkinKind,
  zipkinDuration,
  zipkinMicros,
} from './mapping';
export type { ZipkinSpan, ZipkinEndpoint, ZipkinAnnotation, ZipkinKind } from './zipkin-span';
