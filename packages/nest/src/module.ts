import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { httpServerTracingFor } from '@sofa-tracer/core';
import { installOnAdapter, onAdapter, type AdapterHostLike } from './adapter';
import { setModuleTracer } from './current-tracer';
import { NEST_LOG_TYPE } from './log-type';
import { hookNestCore } from './nest-hooks';
import {
  SOFA_TRACER_NEST_OPTIONS,
  checkOptions,
  type SofaTracerNestAsyncOptions,
  type SofaTracerNestOptions,
} from './options';
import { TracerService } from './tracer-service';

/** Builds the tracer service and wires the request spans; runs once per module instance. */
function createTracerService(
  options: SofaTracerNestOptions,
  host: AdapterHostLike | undefined,
): TracerService {
  const tracing = httpServerTracingFor(options, NEST_LOG_TYPE);
  const tracer = tracing.tracer;
  setModuleTracer(tracer);
  hookNestCore(tracer);
  if (host !== undefined && host !== null) {
    onAdapter(host, (adapter) => {
      try {
        installOnAdapter(adapter, tracing);
      } catch (e) {
        tracer.selfLog.error('nest: could not install request tracing on the HTTP adapter', e);
      }
    });
  }
  return new TracerService(tracer);
}

const tracerServiceProvider: Provider = {
  provide: TracerService,
  useFactory: createTracerService,
  inject: [SOFA_TRACER_NEST_OPTIONS, { token: HttpAdapterHost, optional: true }],
};

/**
 * The Nest module: `imports: [SofaTracerModule.forRoot({ appName: 'orders' })]` in the root module.
 * Global (TracerService is injectable everywhere); importing it more than once is harmless — the
 * request spans are installed once per HTTP adapter.
 */
export class SofaTracerModule {
  /** With options known up front. Invalid options throw here, at start-up. */
  static forRoot(options: SofaTracerNestOptions = {}): DynamicModule {
    return {
      module: SofaTracerModule,
      global: true,
      providers: [
        { provide: SOFA_TRACER_NEST_OPTIONS, useValue: checkOptions(options) },
        tracerServiceProvider,
      ],
      exports: [TracerService],
    };
  }

  /** With options from a factory (`ConfigService`…): `{ imports, useFactory, inject }`. */
  static forRootAsync(options: SofaTracerNestAsyncOptions): DynamicModule {
    if (options === null || typeof options !== 'object' || typeof options.useFactory !== 'function')
      throw new TypeError(
        'SofaTracerModule.forRootAsync: option "useFactory" must be a function returning the options',
      );
    const factory = options.useFactory as (...args: unknown[]) => unknown;
    return {
      module: SofaTracerModule,
      global: true,
      imports: (options.imports ?? []) as DynamicModule['imports'],
      providers: [
        {
          provide: SOFA_TRACER_NEST_OPTIONS,
          useFactory: async (...args: unknown[]) => checkOptions(await factory(...args)),
          inject: (options.inject ?? []) as never[],
        },
        tracerServiceProvider,
      ],
      exports: [TracerService],
    };
  }
}

// applied as calls, not decorator syntax: the package builds without experimentalDecorators
Global()(SofaTracerModule);
Module({})(SofaTracerModule);
