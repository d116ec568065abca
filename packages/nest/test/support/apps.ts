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
  type PipeTransform,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SofaTracerModule, Traced, TracerService, type SofaTracerNestOptions } from '../../src';

/** What the exception filter and the guards saw (identity checks). */
export const seen: {
  thrown: unknown[];
  caught: unknown[];
  guardHandlers: string[];
  middlewareSpans: (string | undefined)[];
} = {
  thrown: [],
  caught: [],
  guardHandlers: [],
  middlewareSpans: [],
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

/** TracerService used directly: trace(), startSpan(), activeSpan(). */
@Controller('manual')
export class ManualController {
  constructor(private readonly tracer: TracerService) {}

  @Get('trace')
  async trace(): Promise<unknown> {
    const request = this.tracer.activeSpan();
    const inner = await this.tracer.trace('orders.compute', async (span) => {
      span.setTag('order.id', '42');
      await new Promise((r) => setTimeout(r, 2));
      return {
        activeIsSpan: this.tracer.activeSpan() === span,
        spanId: this.tracer.spanId,
        traceId: this.tracer.traceId,
      };
    });
    const manual = this.tracer.startSpan('manual.step', { tags: { step: 'one' } });
    // startSpan does not make the span current
    const activeDuringManual = this.tracer.spanId;
    manual.finish();
    return {
      request: request?.context().spanId,
      inner,
      manual: manual.context().spanId,
      activeDuringManual,
      after: this.tracer.activeSpan() === request,
    };
  }

  @Get('trace/fail')
  async traceFail(): Promise<void> {
    await this.tracer.trace('orders.fail', async () => {
      throw new Error('compute failed');
    });
  }
}

/** Rejects requests without an `authorization` header with a 401. */
@Injectable()
export class AuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    if (req.headers.authorization === undefined) throw new UnauthorizedException('token missing');
    return true;
  }
}

/** A real pipe: a positive integer, else BadRequestException. */
@Injectable()
export class PositiveIntPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0)
      throw new BadRequestException(`qty must be a positive integer, got ${value}`);
    return n;
  }
}

/** ValidationPipe's shape without class-validator: every failed rule in `message: [...]`. */
@Injectable()
export class OrderBodyPipe implements PipeTransform<Record<string, unknown>, Record<string, unknown>> {
  transform(body: Record<string, unknown>): Record<string, unknown> {
    const problems: string[] = [];
    if (typeof body?.name !== 'string') problems.push('name must be a string');
    if (typeof body?.age !== 'number' || body.age < 0) problems.push('age must not be less than 0');
    if (problems.length > 0) throw new BadRequestException(problems);
    return body;
  }
}

@Injectable()
export class ThrowingInterceptor implements NestInterceptor {
  intercept(): never {
    throw new Error('interceptor broke');
  }
}

@Injectable()
export class RejectingInterceptor implements NestInterceptor {
  async intercept(): Promise<never> {
    await new Promise((r) => setTimeout(r, 1));
    throw new Error('interceptor rejected');
  }
}

@Controller('checks')
export class ChecksController {
  @Get('secure')
  @UseGuards(AuthGuard)
  secure(): string {
    return 'secret';
  }

  @Get('qty/:qty')
  qty(@Param('qty', PositiveIntPipe) qty: number): unknown {
    return { qty };
  }

  @Post('orders')
  order(@Body(OrderBodyPipe) body: Record<string, unknown>): unknown {
    return body;
  }

  @Get('intercepted')
  @UseInterceptors(ThrowingInterceptor)
  intercepted(): string {
    return 'not reached';
  }

  @Get('intercepted/async')
  @UseInterceptors(RejectingInterceptor)
  interceptedAsync(): string {
    return 'not reached';
  }
}

/** Class-level @Traced() on a controller whose methods carry Nest's own decorators. */
@Traced()
@Controller('reports')
export class ReportsController {
  constructor(private readonly tracer: TracerService) {}

  @Get(':id')
  @UseGuards(HeaderGuard)
  @SetMetadata('role', 'reader')
  one(@Param('id', ParseIntPipe) id: number): unknown {
    return { id, spanId: this.tracer.spanId };
  }

  @Get()
  list(): string {
    return 'list';
  }

  @Post()
  create(@Body() body: Record<string, unknown>): unknown {
    return { created: body, spanId: this.tracer.spanId };
  }
}

/** A Nest middleware that records the span current in it (after an async step too). */
@Injectable()
export class SpanRecordingMiddleware implements NestMiddleware {
  constructor(private readonly tracer: TracerService) {}
  use(_req: unknown, _res: unknown, next: () => void): void {
    seen.middlewareSpans.push(this.tracer.spanId);
    setTimeout(() => {
      seen.middlewareSpans.push(this.tracer.spanId);
      next();
    }, 1);
  }
}

@Controller('mw-span')
export class MiddlewareSpanController {
  constructor(private readonly tracer: TracerService) {}
  @Get()
  get(): unknown {
    return { spanId: this.tracer.spanId };
  }
}

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
    controllers: [
      UsersController,
      AdminController,
      FetchController,
      MiddlewareController,
      ManualController,
      ChecksController,
      ReportsController,
      MiddlewareSpanController,
    ],
    providers: [UsersService, AuditService, HeaderGuard, TraceHeaderInterceptor],
  })
  class AppModule {
    configure(consumer: MiddlewareConsumer): void {
      consumer.apply(FailingMiddleware).forRoutes(MiddlewareController);
      consumer.apply(SpanRecordingMiddleware).forRoutes(MiddlewareSpanController);
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

/** Injects TracerService without importing SofaTracerModule (it is global). */
@Injectable()
export class GreetingService {
  constructor(private readonly tracer: TracerService) {}
  greet(): Promise<unknown> {
    return this.tracer.trace('GreetingService.greet', async () => ({
      traceId: this.tracer.traceId,
      spanId: this.tracer.spanId,
    }));
  }
}

@Controller('greeting')
export class GreetingController {
  constructor(private readonly greeting: GreetingService) {}
  @Get()
  get(): Promise<unknown> {
    return this.greeting.greet();
  }
}

/** A feature module that does NOT import SofaTracerModule. */
@Module({ controllers: [GreetingController], providers: [GreetingService] })
export class GreetingModule {}

/**
 * Root module importing SofaTracerModule and the feature module that does not; `again` (a module
 * calling `SofaTracerModule.forRoot` once more) makes it imported twice.
 */
export function globalAppModule(tracing: DynamicModule, again?: DynamicModule): new () => unknown {
  @Module({ imports: again ? [tracing, GreetingModule, again] : [tracing, GreetingModule] })
  class GlobalAppModule {}
  return GlobalAppModule;
}
