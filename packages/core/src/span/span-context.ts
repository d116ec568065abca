/**
 * The propagated part of a span: SOFA trace id, hierarchical span id, sampling decision and the
 * two baggage maps (sys and biz) of the SOFATracer model.
 *
 * Child ids are handed out here (not on the span) because a server span continuing a remote
 * context is the child of that remote context: client `0.1` → server `0.1.1`.
 */
export class SpanContext {
  /** W3C `tracestate` received from upstream (without our own `sofa` member), forwarded as is. */
  traceState: string | undefined = undefined;
  /**
   * W3C Level 2 random-trace-id flag (trace-flags `0x02`) as received with this trace; children
   * inherit it and W3C inject sends it. Never set on traces we start (SOFA ids are not random).
   */
  randomTraceId = false;
  /** True when this context was extracted from an incoming carrier rather than created here. */
  remote = false;
  private childCount = 0;

  // Most spans carry no baggage: the maps are made on first use, not per span.
  private sys: Map<string, string> | undefined;
  private biz: Map<string, string> | undefined;

  /**
   * @param traceId SOFA trace id (lowercase hex, ≤ 32 chars) or a foreign hex trace id.
   * @param spanId dotted span id, `"0"` for a root.
   * @param parentId the span id minus its last segment, `""` for a root.
   * @param sampled whether digest lines are written for this trace (travels downstream).
   * @param sysBaggage system baggage (propagated, never touched by `setBaggageItem`).
   * @param bizBaggage business baggage (the OpenTracing baggage).
   */
  constructor(
    readonly traceId: string,
    readonly spanId: string,
    readonly parentId: string,
    public sampled: boolean,
    sysBaggage?: Map<string, string>,
    bizBaggage?: Map<string, string>,
  ) {
    this.sys = sysBaggage;
    this.biz = bizBaggage;
  }

  /** System baggage (propagated, never touched by `setBaggageItem`). */
  get sysBaggage(): Map<string, string> {
    return (this.sys ??= new Map());
  }

  /** Business baggage (the OpenTracing baggage). */
  get bizBaggage(): Map<string, string> {
    return (this.biz ??= new Map());
  }

  /** Number of sys baggage entries (no map is made to answer). */
  get sysBaggageSize(): number {
    return this.sys === undefined ? 0 : this.sys.size;
  }

  /** Number of biz baggage entries (no map is made to answer). */
  get bizBaggageSize(): number {
    return this.biz === undefined ? 0 : this.biz.size;
  }

  /** Returns the id of this context's next child: `spanId + "." + n`, n counting from 1. */
  nextChildId(): string {
    this.childCount += 1;
    return this.spanId + '.' + this.childCount;
  }

  /** Depth of the span id (number of dot-separated segments). */
  get depth(): number {
    let n = 1;
    const id = this.spanId;
    for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) === 46) n++;
    return n;
  }

  /** True when biz baggage carries the load-test mark `mark=T`. */
  get isLoadTest(): boolean {
    return this.biz !== undefined && this.biz.size !== 0 && this.biz.get('mark') === 'T';
  }
}

/** Parent id of a dotted span id: everything before the last dot, `""` for a root. */
export function parentIdOf(spanId: string): string {
  const i = spanId.lastIndexOf('.');
  return i < 0 ? '' : spanId.slice(0, i);
}
