// The shared two-service scenarios (Java SOFA B3 0.1 → 0.1.1, new trace, sampled=false, W3C, hex
// B3, hostile headers) with a Nest gateway calling a Nest backend, each with its own tracer.
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { Controller, Get, Module, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  backendAnswer,
  callBackend,
  twoServiceScenarios,
} from '../../../../test/support/two-service-scenarios';
import type { TestTracer } from '../../../../test/support/plugin-fixtures';
import { SofaTracerModule } from '../../src';
import { loadPlatform, type NestVersion, type Platform } from './nest-version';

interface InnerApp {
  init(): Promise<unknown>;
  getHttpServer(): Server;
  getHttpAdapter(): { getInstance(): { ready?: () => Promise<unknown> } };
}

/**
 * A server for the scenarios (which want it synchronously, not yet listening): the Nest app is
 * built in the background, requests are handed to its own server, and `listen` waits for it.
 */
function nestServer(version: NestVersion, platform: Platform, module: unknown): Server {
  const outer = createServer();
  const ready = (async () => {
    const pkg = loadPlatform(version, platform);
    const Adapter = (platform === 'express' ? pkg.ExpressAdapter : pkg.FastifyAdapter) as new () => never;
    const app = (await NestFactory.create(module as never, new Adapter(), {
      logger: false,
    })) as unknown as InnerApp;
    await app.init();
    await app.getHttpAdapter().getInstance().ready?.();
    const inner = app.getHttpServer();
    outer.on('request', (req, res) => inner.emit('request', req, res));
    outer.once('close', () => inner.emit('close'));
  })();
  const listen = outer.listen.bind(outer) as (...args: unknown[]) => Server;
  outer.listen = ((...args: unknown[]) => {
    void ready.then(() => listen(...args));
    return outer;
  }) as Server['listen'];
  return outer;
}

export function nestTwoServices(version: NestVersion, platform: Platform): void {
  twoServiceScenarios('nest', {
    backend(be: TestTracer, record) {
      @Controller('items')
      class ItemsController {
        @Get(':id')
        get(@Req() req: { headers: Record<string, string> }): unknown {
          record(req.headers);
          return backendAnswer(be);
        }
      }
      @Module({ imports: [SofaTracerModule.forRoot({ tracer: be.tracer })], controllers: [ItemsController] })
      class BackendModule {}
      return nestServer(version, platform, BackendModule);
    },
    gateway(gw: TestTracer, backendUrl: string) {
      @Controller('checkout')
      class CheckoutController {
        @Get()
        checkout(): Promise<unknown> {
          return callBackend(gw, backendUrl);
        }
      }
      @Module({
        imports: [SofaTracerModule.forRoot({ tracer: gw.tracer })],
        controllers: [CheckoutController],
      })
      class GatewayModule {}
      return nestServer(version, platform, GatewayModule);
    },
  });
}
