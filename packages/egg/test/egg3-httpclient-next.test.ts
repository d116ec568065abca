// egg 3 with `httpclient.useHttpClientNext`: ctx.curl / app.curl run on urllib's undici-based
// client instead of egg 3's default urllib 2 over node:http (covered by egg3.test.ts). egg 3 loads
// `urllib4` (urllib 4) on Node ≥ 20 when it is installed, else `urllib-next` (urllib 3); both are
// traced through undici's diagnostics channels.
import { bootBff, type BootedBff } from './egg-env';
import { expectCurlTraced } from './scenarios';

describe('@sofa-tracer/egg on egg 3 with useHttpClientNext (urllib 4 on undici)', () => {
  let bff: BootedBff;

  beforeAll(async () => {
    bff = await bootBff('egg3', { EGG_SOFA_HTTPCLIENT_NEXT: '1' });
  });

  afterAll(async () => {
    await bff?.close();
  });

  it('app.httpclient is the undici-based urllib client', () => {
    const { app } = bff;
    expect(
      (app.config as unknown as { httpclient: { useHttpClientNext: boolean } }).httpclient.useHttpClientNext,
    ).toBe(true);
    // which urllib egg 3 picked: the one its httpclient_next.js requires first
    const urllib4 = require(require.resolve('urllib4', { paths: [bff.framework] })) as {
      HttpClient: unknown;
    };
    const client = app.httpclient as object;
    expect(Object.getPrototypeOf(client.constructor)).toBe(urllib4.HttpClient);
  });

  it('ctx.curl on urllib 4: client span 0.1.1.1 and its headers on the wire', async () => {
    await expectCurlTraced(bff, '0c0fe927156747798532710021aaaa', '/proxy', '/next');
  });

  it('app.curl on urllib 4: the same, with app.tracer handed to urllib', async () => {
    await expectCurlTraced(bff, '0c0fe927156747798532710021aaab', '/proxy-app', '/next-app');
  });
});
