/** Zipkin v2 span kinds (`zipkin2-api.yaml`). Absent for local (in-process) spans. */
export type ZipkinKind = 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';

/** A Zipkin v2 endpoint. */
export interface ZipkinEndpoint {
  serviceName?: string;
  ipv4?: string;
  ipv6?: string;
  /** 1–65535; never 0 (the spec asks to leave it absent when unknown). */
  port?: number;
}

/** A Zipkin v2 annotation: epoch µs and a value. */
export interface ZipkinAnnotation {
  timestamp: number;
  value: string;
}

/** A Zipkin v2 span as POSTed to `/api/v2/spans` (JSON). */
export interface ZipkinSpan {
  /** 16 or 32 lowercase hex. */
  traceId: string;
  /** 16 lowercase hex; absent for a root. */
  parentId?: string;
  /** 16 lowercase hex. */
  id: string;
  kind?: ZipkinKind;
  name: string;
  /** Epoch µs, integer. */
  timestamp: number;
  /** µs, integer ≥ 1. */
  duration: number;
  localEndpoint: ZipkinEndpoint;
  remoteEndpoint?: ZipkinEndpoint;
  annotations?: ZipkinAnnotation[];
  tags: Record<string, string>;
}
