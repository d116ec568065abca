/**
 * @sofa-tracer/cli — reads SOFATracer digest and stat logs: one trace as a tree across services,
 * recent traces, stat summaries and a live tail. The same functions back the `sofa-tracer` command.
 */
export type { DigestRecord, StatRecord } from './records';
export { parseCost } from './records';
export type { LogFile, LogKind } from './dirs';
export { defaultTraceLogDir, listLogFiles, resolveTraceLogDirs } from './dirs';
export type { ReadOptions } from './read';
export { readDigestLines, readStatLines } from './read';
export { compareSpanIds, parentSpanId } from './span-id';
export type { TraceTree, TraceTreeNode } from './tree';
export { buildTraceTree } from './tree';
export type { RenderOptions } from './render';
export { describeSpan, formatSpanLine, renderTree } from './render';
export type { TraceSummary } from './traces';
export { listTraces, renderTraces } from './traces';
export type { StatSummary } from './stats';
export { renderStats, summarizeStats } from './stats';
export type { TailOptions } from './tail';
export { tailDigest } from './tail';
export type { CliIo } from './main';
export { main, USAGE } from './main';
