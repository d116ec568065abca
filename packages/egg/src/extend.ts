import { SofaEggTracer } from './egg-tracer';

/** What a `config.tracer.Class` must look like (egg's convention): constructed with the context. */
export type EggTracerClass = new (target: object) => { readonly traceId?: unknown };

interface HasConfig {
  config?: { tracer?: { Class?: unknown } };
}

const kTracer: unique symbol = Symbol('sofa-tracer.egg.tracerSlot');

type Cached = { [kTracer]?: unknown };

/** `config.tracer.Class` when the app set one (the user's choice wins), else {@link SofaEggTracer}. */
function tracerClassOf(app: HasConfig | undefined): EggTracerClass {
  const C = app?.config?.tracer?.Class;
  return typeof C === 'function' ? (C as EggTracerClass) : SofaEggTracer;
}

/**
 * egg's `app/extend/context.js` of the plugin: `ctx.tracer` (one `config.tracer.Class` instance per
 * context, as egg-tracer) and `ctx.traceId`. egg copies these getters onto `app.context`.
 */
export const contextExtension = {
  /** The context's tracer-slot object; its `traceId` is what egg-logger prints. */
  get tracer(): unknown {
    const self = this as unknown as Cached & { app?: HasConfig };
    let t = self[kTracer];
    if (t === undefined) {
      t = new (tracerClassOf(self.app))(self);
      self[kTracer] = t;
    }
    return t;
  },
  /** The SOFA trace id of the context's request (or schedule run), `""` outside any span. */
  get traceId(): string {
    const t = (this as unknown as { tracer?: { traceId?: unknown } }).tracer;
    return typeof t?.traceId === 'string' ? t.traceId : '';
  },
};

/**
 * egg's `app/extend/application.js` of the plugin: `app.tracer`, one `new Class({ app })` per app,
 * whose ids are those of the span current where they are read (egg passes it to urllib for
 * `app.curl` made outside a request).
 */
export const applicationExtension = {
  /** The app's tracer-slot object. */
  get tracer(): unknown {
    const self = this as unknown as Cached & HasConfig;
    let t = self[kTracer];
    if (t === undefined) {
      t = new (tracerClassOf(self))({ app: self });
      self[kTracer] = t;
    }
    return t;
  },
};
