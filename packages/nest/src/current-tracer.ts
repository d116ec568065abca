import { tryGetTracer, type Tracer } from '@sofa-tracer/core';

// The tracer of the last SofaTracerModule set up. @Traced() runs on classes defined before any
// module exists, so it looks the tracer up per call, never at decoration time.
let moduleTracer: Tracer | undefined;

/** @internal records the tracer a SofaTracerModule uses. */
export function setModuleTracer(tracer: Tracer): void {
  moduleTracer = tracer;
}

/** The tracer of the running SofaTracerModule, else the global tracer, else `undefined`. */
export function currentTracer(): Tracer | undefined {
  const t = moduleTracer;
  if (t !== undefined && (t as { closed?: boolean }).closed !== true) return t;
  return tryGetTracer();
}
