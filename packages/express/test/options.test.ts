import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sofaTracer } from '@sofa-tracer/express';
import { tryGetTracer } from '@sofa-tracer/core';
import { EXPRESS_VERSIONS, serverOf, type App, type ExpressLike } from './express-apps';
import { listen, makeTracer, until, type TestTracer } from './helpers';

type Res = { send(b: string): void };

async function serve(app: App): Promise<{ url: string; close: () => Promise<void> }> {
  return listen(serverOf(app));
}

describe.each(EXPRESS_VERSIONS)('%s options', (_label, load) => {
  const express: ExpressLike = load();
  let t: TestTracer;

  beforeEach(() => {
    t = makeTracer('opts');
  });
  afterEach(async () => {
    await t.close();
  });

  it('redactQuery: false keeps the query; a list masks the named parameters', async () => {
    const app = express();
    app.use(sofaTracer({ tracer: t.tracer, redactQuery: false }));
    app.get('/a', (_q: unknown, r: Res) => r.send('a'));
    const masked = express();
    masked.use(sofaTracer({ tracer: t.tracer, redactQuery: ['token', 'PASSWORD'] }));
    masked.get('/b', (_q: unknown, r: Res) => r.send('b'));
    const s1 = await serve(app);
    const s2 = await serve(masked);
    await fetch(s1.url + '/a?x=1&token=abc').then((r) => r.text());
    await fetch(s2.url + '/b?x=1&token=abc&password=p%20w&tokens=keep').then((r) => r.text());
    await until(() => t.spans.length === 2);
    expect(t.spans.map((s) => s.tags['request.url'])).toEqual([
      `${s1.url}/a?x=1&token=abc`,
      `${s2.url}/b?x=1&token=***&password=***&tokens=keep`,
    ]);
    await s1.close();
    await s2.close();
  });

  it('extractFormats: only the accepted header formats continue a trace', async () => {
    const app = express();
    app.use(sofaTracer({ tracer: t.tracer, extractFormats: ['w3c'] }));
    app.get('/x', (_q: unknown, r: Res) => r.send('x'));
    const s = await serve(app);
    await fetch(s.url + '/x', {
      headers: { 'X-B3-TraceId': '0a0fe9271567477985327100211176', 'X-B3-SpanId': '0.1' },
    }).then((r) => r.text());
    await fetch(s.url + '/x', {
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    }).then((r) => r.text());
    await until(() => t.spans.length === 2);
    expect(t.spans[0]!.context().traceId).not.toBe('0a0fe9271567477985327100211176');
    expect(t.spans[0]!.context().spanId).toBe('0');
    expect(t.spans[1]!.context().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    await s.close();
  });

  it('routes built before the middleware existed still get their template; array and RegExp paths', async () => {
    const prebuilt = express.Router();
    prebuilt.get('/orders/:id', (_q: unknown, r: Res) => r.send('o'));
    const app = express();
    app.use(sofaTracer({ tracer: t.tracer }));
    app.use('/shop', prebuilt);
    app.get(['/one', '/two'], (_q: unknown, r: Res) => r.send('multi'));
    app.get(/^\/re\/\d+$/, (_q: unknown, r: Res) => r.send('re'));
    const s = await serve(app);
    await fetch(s.url + '/shop/orders/5').then((r) => r.text());
    await fetch(s.url + '/re/77').then((r) => r.text());
    await fetch(s.url + '/two').then((r) => r.text());
    await until(() => t.spans.length === 3);
    expect(t.spans.map((x) => x.tags.route)).toEqual(['/shop/orders/:id', '/^\\/re\\/\\d+$/', '/one,/two']);
    await s.close();
  });

  it('a customTags function that throws is contained', async () => {
    const app = express();
    app.use(
      sofaTracer({
        tracer: t.tracer,
        customTags: () => {
          throw new Error('bad tags');
        },
      }),
    );
    app.get('/x', (_q: unknown, r: Res) => r.send('x'));
    const s = await serve(app);
    const res = await fetch(s.url + '/x');
    expect(await res.text()).toBe('x');
    await until(() => t.spans.length === 1);
    expect(t.spans[0]!.resultCode).toBe('200');
    await s.close();
  });

  it('mounting the middleware twice still makes one span', async () => {
    const app = express();
    const mw = sofaTracer({ tracer: t.tracer });
    app.use(mw);
    app.use(mw);
    app.get('/x', (_q: unknown, r: Res) => r.send('x'));
    const s = await serve(app);
    await fetch(s.url + '/x').then((r) => r.text());
    await until(() => t.spans.length >= 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(t.spans).toHaveLength(1);
    await s.close();
  });
});

describe('express 5 async handlers', () => {
  it('a rejected promise is recorded and reaches the error handler as the same object', async () => {
    const t = makeTracer('async5');
    const express = EXPRESS_VERSIONS[1]![1]();
    const app = express();
    const rejection = new TypeError('async failure');
    let got: unknown;
    app.use(sofaTracer({ tracer: t.tracer }));
    app.get('/r/:id', async () => {
      await new Promise((r) => setTimeout(r, 2));
      throw rejection;
    });
    app.use((err: unknown, _q: unknown, res: { status(n: number): Res }, _next: unknown) => {
      got = err;
      res.status(422).send('no');
    });
    const s = await serve(app);
    expect((await fetch(s.url + '/r/1')).status).toBe(422);
    await until(() => t.spans.length === 1);
    expect(got).toBe(rejection);
    expect(t.spans[0]).toMatchObject({ resultCode: '422', error: rejection });
    expect(t.spans[0]!.tags).toMatchObject({ error: 'async failure', route: '/r/:id' });
    await s.close();
    await t.close();
  });
});

describe('global tracer', () => {
  it('sofaTracer({ appName, logDir }) initialises the global tracer when none runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sofa-express-global-'));
    expect(tryGetTracer()).toBeUndefined();
    const express = EXPRESS_VERSIONS[0]![1]();
    const app = express();
    app.use(sofaTracer({ appName: 'global-app', logDir: dir, ignorePaths: ['/health'] }));
    app.get('/hello', (_q: unknown, r: Res) => r.send('hi'));
    const s = await serve(app);
    await fetch(s.url + '/hello').then((r) => r.text());
    const tracer = tryGetTracer()!;
    expect(tracer.appName).toBe('global-app');
    await new Promise((r) => setTimeout(r, 10));
    await tracer.flush();
    const line = JSON.parse(
      readFileSync(join(dir, 'tracelog', 'express-digest.log'), 'utf8').split(/\r?\n/)[0]!,
    ) as Record<string, unknown>;
    expect(line).toMatchObject({ 'local.app': 'global-app', route: '/hello', 'result.code': '200' });
    await s.close();
    await tracer.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
