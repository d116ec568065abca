import {
  chunkLength,
  clientErrorResultCode,
  createHttpServerLogType,
  EXPRESS_LOG_TYPE,
  HeaderFormatFilter,
  HTTP_CLIENT_LOG_TYPE,
  parseContentLength,
} from '../../src/http';
import type { ReadableSpan } from '../../src/span/readable-span';

const withCode = (resultCode: string) => ({ resultCode }) as ReadableSpan;

describe('log types', () => {
  it('server log types: Spring MVC fields + route, stat key route + method', () => {
    const koa = createHttpServerLogType('koa');
    expect(koa).toMatchObject({
      name: 'koa',
      digestFile: 'koa-digest.log',
      statFile: 'koa-stat.log',
      statKeyFields: ['route', 'method'],
    });
    expect(koa.digestFields.map((f) => [f.key, f.type])).toEqual([
      ['request.url', 'string'],
      ['method', 'string'],
      ['req.size.bytes', 'number'],
      ['resp.size.bytes', 'number'],
      ['error', 'string'],
      ['route', 'string'],
    ]);
    expect(EXPRESS_LOG_TYPE.digestFile).toBe('express-digest.log');
  });

  it('success rule as Java: 1xx/2xx, 301, 302; 304 and 499 fail; clients also accept 00', () => {
    for (const c of ['100', '200', '204', '301', '302'])
      expect(EXPRESS_LOG_TYPE.isSuccess(withCode(c))).toBe(true);
    for (const c of ['304', '404', '499', '500', '00', ''])
      expect(EXPRESS_LOG_TYPE.isSuccess(withCode(c))).toBe(false);
    expect(HTTP_CLIENT_LOG_TYPE.isSuccess(withCode('00'))).toBe(true);
    for (const c of ['99', '03', '499']) expect(HTTP_CLIENT_LOG_TYPE.isSuccess(withCode(c))).toBe(false);
  });

  it('httpclient: Java HttpClient fields; stat key by host, never the raw URL', () => {
    expect(HTTP_CLIENT_LOG_TYPE.digestFields.map((f) => f.key)).toEqual([
      'request.url',
      'method',
      'req.size.bytes',
      'resp.size.bytes',
      'remote.app',
    ]);
    expect(HTTP_CLIENT_LOG_TYPE.statKeyFields).toEqual(['remote.host', 'method']);
  });
});

describe('clientErrorResultCode', () => {
  it.each([
    [Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), '99'],
    [Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), '03'],
    [new DOMException('t', 'TimeoutError'), '03'],
    [new DOMException('a', 'AbortError'), '499'],
    [
      Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('c'), { code: 'UND_ERR_CONNECT_TIMEOUT' }),
      }),
      '03',
    ],
    [Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' }), '499'],
    ['a string', '99'],
    [null, '99'],
  ])('%s → %s', (error, code) => {
    expect(clientErrorResultCode(error)).toBe(code);
  });

  it('a timeout seen before the error wins', () => {
    expect(clientErrorResultCode(new Error('socket hang up'), true)).toBe('03');
  });
});

describe('sizes', () => {
  it('parseContentLength accepts digits only', () => {
    expect(parseContentLength('123')).toBe(123);
    expect(parseContentLength(['7', '8'])).toBe(7);
    expect(parseContentLength(42)).toBe(42);
    for (const bad of [undefined, '', '-1', '1e3', ' 12', '12abc', '9'.repeat(16), -3, 1.5])
      expect(parseContentLength(bad)).toBe(-1);
  });

  it('chunkLength counts bytes, not characters', () => {
    expect(chunkLength('é', undefined)).toBe(2);
    expect(chunkLength('aGk=', 'base64')).toBe(2);
    expect(chunkLength(Buffer.alloc(5), undefined)).toBe(5);
    expect(chunkLength(new Uint8Array(3), undefined)).toBe(3);
    expect(chunkLength(undefined, undefined)).toBe(0);
  });
});

describe('HeaderFormatFilter', () => {
  const headers = {
    host: 'h',
    'x-b3-traceid': 't',
    'baggage-user': 'u',
    sftc_head: 's',
    traceparent: 'tp',
    tracestate: 'ts',
    baggage: 'b',
    accept: '*/*',
  };
  it('keeps ordinary headers and only the accepted trace formats', () => {
    expect(Object.keys(new HeaderFormatFilter(['w3c']).filter(headers))).toEqual([
      'host',
      'traceparent',
      'tracestate',
      'baggage',
      'accept',
    ]);
    expect(Object.keys(new HeaderFormatFilter(['sofa-b3']).filter(headers))).toEqual([
      'host',
      'x-b3-traceid',
      'baggage-user',
      'accept',
    ]);
    expect(Object.keys(new HeaderFormatFilter(['b3', 'sftc']).filter(headers))).toEqual([
      'host',
      'x-b3-traceid',
      'sftc_head',
      'accept',
    ]);
  });
});
