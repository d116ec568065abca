// egg 3 with `httpclient.useHttpClientNext`: ctx.curl runs on urllib 3 over undici (egg 3's
// default is urllib 2 over node:http, covered by egg3.test.ts) — traced through undici's
// diagnostics channels.
import { bootBff, type BootedBff } from './egg-env';
import { expectCurlTraced } from './scenarios';

describe('@sofa-tracer/egg on egg 3 with useHttpClientNext (urllib 3 on undici)', () => {
  let bff: BootedBff;

  beforeAll(async () => {
    bff = await bootBff('egg3', { EGG_SOFA_HTTPCLIENT_NEXT: '1' });
  });

  afterAll(async () => {
    await bff?.close();
  });

  it('ctx.curl on urllib 3: client span 0.1.1.1 and its headers on the wire', async () => {
    const { app } = bff;
    expect(
      (app.config as unknown as { httpclient: { useHttpClientNext: boolean } }).httpclient.useHttpClientNext,
    ).toBe(true);
    await expectCurlTraced(bff, '0c0fe927156747798532710021aaaa', '/proxy', '/next');
  });
});
