import { currentSpan, type Span } from '@sofa-tracer/core';

const kSpan: unique symbol = Symbol.for('sofa-tracer.egg.span');

type WithSpan = { [kSpan]?: Span };

/** Makes `span` the span of an egg context (the request's server span, a schedule run's root span). */
export function setContextSpan(ctx: object, span: Span): void {
  (ctx as WithSpan)[kSpan] = span;
}

/** The span recorded for an egg context by {@link setContextSpan}, if any. */
export function contextSpan(ctx: object): Span | undefined {
  return (ctx as WithSpan)[kSpan];
}

/**
 * The class of egg's tracer slot (`config.tracer.Class`, the convention of egg-tracer /
 * @eggjs/tracer): `ctx.tracer` is `new Class(ctx)`, `app.tracer` is `new Class({ app })`. egg-logger
 * prints `ctx.tracer.traceId` in its context prefix (`[-/127.0.0.1/<traceId>/3ms GET /path]`), and
 * egg hands `ctx.tracer` / `app.tracer` to urllib on every `ctx.curl` / `app.curl`.
 *
 * For a context, the ids are those of the span the plugin started for it (request or schedule
 * run); otherwise — `app.tracer`, or a context created outside any traced work — those of the span
 * current where the getter is read. Outside any span both ids are `""` (egg-logger prints `-`).
 */
export class SofaEggTracer {
  /** @param target the egg context, or `{ app }` for `app.tracer` (what egg passes). */
  constructor(readonly target: object) {}

  /** The request's (or schedule run's) span; else the span current in the caller's async context. */
  get span(): Span | undefined {
    return (this.target as WithSpan)[kSpan] ?? currentSpan();
  }

  /** The SOFA trace id (`0a1b2c3d…`), or `""` outside any span. */
  get traceId(): string {
    return this.span?.context().traceId ?? '';
  }

  /** The dotted SOFA span id (`0.1.1`), or `""` outside any span. */
  get spanId(): string {
    return this.span?.context().spanId ?? '';
  }
}
