// Real Nest applications for the test matrix. Loaded after useNest(), so the decorators and
// exception classes below are those of the Nest major under test.
import 'reflect-metadata';
import {
  BadRequestException,
  Body,
  Catch,
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  Scope,
  SetMetadata,
  UseFilters,
  UseGuards,
  UseInterceptors,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type DynamicModule,
  type ExceptionFilter,
  type ExecutionContext,
  type MiddlewareConsumer,
  type NestInterceptor,
  type NestMiddleware,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SofaTracerModule, Traced, TracerService, type SofaTracerNestOptions } from '../../src';

/** What the exception filter and the guards saw (identity checks). */
export const seen: { thrown: unknown[]; caught: unknown[]; guardHandlers: string[] } = {
  thrown: [],
  caught: [],
  guardHandlers: [],
};

/** Where `/fetch` calls (set per test). */
export const downstream = { url: '' };

type AnyRes = { header?: (k: string, v: string) => unknown; setHeader?: (k: string, v: string) => unknown };

function setHeader(res: AnyRes, name: string, value: string): void {
  if (typeof res.header === 'function') res.header(name, value);
  else res.setHeader?.(name, value);
}

@Injectable()
export class TraceHeaderInterceptor implements NestInterceptor {
  constructor(private readonly tracer: TracerService) {}
  intercept(context: ExecutionContext, next: CallHandler): ReturnType<CallHandler['handle']> {
    setHeader(context.switchToHttp().getResponse<AnyRes>(), 'x-trace-id', this.tracer.traceId ?? 'none');
    return next.handle();
  }
}

/** Allows requests with `x-allow: yes`; reads the handler's metadata (kept by @Traced). */
@Injectable()
export class HeaderGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    const role = this.reflector.get<string | undefined>('role', context.getHandler());
    seen.guardHandlers.push(context.getHandler().name + ':' + String(role));
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    return req.headers['x-allow'] === 'yes';
  }
}

@Catch()
export class RecordingFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    seen.caught.push(exception);
    const res = host.switchToHttp().getResponse<{
      status?: (n: number) => { send(b: string): void };
      code?: (n: number) => { send(b: string): void };
    }>();
    if (typeof res.code === 'function') res.code(502).send('filtered');
    else res.status!(502).send('filtered');
  }
}

@Injectable()
export class UsersService {
  constructor(private readonly tracer: TracerService) {}

  @Traced()
  async load(id: number): Promise<{ id: number; spanId: string | undefined }> {
    await new Promise((r) => setTimeout(r, 2));
    return { id, spanId: this.tracer.spanId };
  }

  @Traced({ name: 'users.save', tags: { store: 'memory' } })
  async save(body: unknown): Promise<unknown> {
    return body;
  }
}

/** Every method traced through the class decorator. */
@Traced()
@Injectable()
export class AuditService {
  record(what: string): string {
    return 'recorded ' + what;
  }
  async fail(): Promise<never> {
    throw new Error('audit down');
  }
}

@Controller('users')
@UseInterceptors(TraceHeaderInterceptor)
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly tracer: TracerService,
  ) {}

  @Get(':id')
  async findOne(@Param('id', ParseIntPipe) id: number): Promise<unknown> {
    this.audit.record('read');
    return { ...(await this.users.load(id)), traceId: this.tracer.traceId };
  }

  @Post()
  async create(@Body() body: Record<string, unknown>): Promise<unknown> {
    await this.users.save(body);
    return { received: body, spanId: this.tracer.spanId };
  }

  @Get('validate/body')
  validate(): never {
    // the shape ValidationPipe throws (class-validator messages)
    throw new BadRequestException(['name must be a string', 'age must not be less than 0']);
  }

  @Get('slow/reply')
  async slow(): Promise<string> {
    await new Promise((r) => setTimeout(r, 300));
    return 'late';
  }

  @Get(':id/missing')
  missing(@Param('id') id: string): never {
    throw new NotFoundException(`user ${id} not found`);
  }

  @Get('crash/:reason')
  crash(@Param('reason') reason: string): never {
    const e = new Error('crash ' + reason);
    seen.thrown.push(e);
    throw e;
  }

  @Get('filtered/:reason')
  @UseFilters(RecordingFilter)
  filtered(@Param('reason') reason: string): never {
    const e = new Error('filtered ' + reason);
    seen.thrown.push(e);
    throw e;
  }

  @Get('audit/fail')
  async auditFail(): Promise<void> {
    await this.audit.fail();
  }
}

@Controller('admin')
export class AdminController {
  // @Traced above Nest's decorators…
  @Traced()
  @UseGuards(HeaderGuard)
  @SetMetadata('role', 'admin')
  @Get()
  panel(): string {
    return 'panel';
  }

  // …and below them: both orders keep the route, the guard and the metadata
  @Get('reports')
  @UseGuards(HeaderGuard)
  @SetMetadata('role', 'auditor')
  @Traced()
  reports(): string {
    return 'reports';
  }
}

@Injectable({ scope: Scope.REQUEST })
export class RequestCounter {
  static created = 0;
  constructor() {
    RequestCounter.created++;
  }
}

@Controller('scoped')
export class ScopedController {
  constructor(
    private readonly counter: RequestCounter,
    private readonly tracer: TracerService,
  ) {}
  @Get(':n')
  get(@Param('n') n: string): unknown {
    return { n, traceId: this.tracer.traceId, counter: this.counter instanceof RequestCounter };
  }
}

@Controller('fetch')
export class FetchController {
  @Get()
  async call(): Promise<unknown> {
    const res = await fetch(downstream.url);
    return res.json();
  }
}

@Controller('mw')
export class MiddlewareController {
  @Get()
  never(): string {
    return 'not reached';
  }
}

export class FailingMiddleware implements NestMiddleware {
  use(): void {
    throw new Error('middleware failed');
  }
}
Injectable()(FailingMiddleware);

/** A feature module that imports SofaTracerModule again (importing it twice must be harmless). */
export function featureModule(options: SofaTracerNestOptions): DynamicModule {
  @Module({
    imports: [SofaTracerModule.forRoot(options)],
    controllers: [ScopedController],
    providers: [RequestCounter],
  })
  class FeatureModule {}
  return { module: FeatureModule };
}

/** The application's root module, with `tracing` as its SofaTracerModule import. */
export function appModule(tracing: DynamicModule, feature?: DynamicModule): new () => unknown {
  @Module({
    imports: feature ? [tracing, feature] : [tracing],
    controllers: [UsersController, AdminController, FetchController, MiddlewareController],
    providers: [UsersService, AuditService, HeaderGuard, TraceHeaderInterceptor],
  })
  class AppModule {
    configure(consumer: MiddlewareConsumer): void {
      consumer.apply(FailingMiddleware).forRoutes(MiddlewareController);
    }
  }
  return AppModule;
}

/** Something injected by forRootAsync's factory. */
@Injectable()
export class TracingConfig {
  constructor(@Inject('APP_NAME') readonly appName: string) {}
}

@Module({
  providers: [TracingConfig, { provide: 'APP_NAME', useValue: 'async-app' }],
  exports: [TracingConfig],
})
export class ConfigModule {}
