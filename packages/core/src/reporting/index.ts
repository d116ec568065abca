export type { SpanListener } from './span-listener';
export type { Reporter, WriterSource } from './reporter';
export { CompositeReporter } from './composite-reporter';
export { ListenerSet } from './listener-set';
export { DigestReporter, type DigestReporterOptions } from './digest-reporter';
export { StatReporter, type StatReporterOptions } from './stat-reporter';
