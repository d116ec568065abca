import { encodeDigestJson, encodeDigestLegacy } from '../../src/encoding/digest-line';
import { formatLogTime } from '../../src/log/time-format';
import type { LogTypeDefinition } from '../../src/log-types/log-type';
import { isHttpClientSuccess } from '../../src/log-types/success-rules';
import type { ReadableSpan, TagValue } from '../../src/span/readable-span';
import { SpanContext } from '../../src/span/span-context';

// The HttpClient example line of the Java reference (sofatracer-java.md §3), byte for byte.
const JAVA_LINE =
  '{"time":"2019-09-02 23:43:13.191","local.app":"HttpClientDemo","traceId":"1e27a79c1567438993170100210107","spanId":"0","span.kind":"client","result.code":"200","current.thread.name":"I/O dispatcher 1","time.cost.milliseconds":"21ms","request.url":"http://localhost:8080/httpclient","method":"GET","req.size.bytes":0,"resp.size.bytes":-1,"remote.app":"","sys.baggage":"","biz.baggage":""}';

const HTTPCLIENT: LogTypeDefinition = {
  name: 'httpclient',
  digestFile: 'httpclient-digest.log',
  statFile: 'httpclient-stat.log',
  digestFields: [
    { key: 'request.url', type: 'string' },
    { key: 'method', type: 'string' },
    { key: 'req.size.bytes', type: 'number' },
    { key: 'resp.size.bytes', type: 'number' },
    { key: 'remote.app', type: 'string' },
  ],
  statKeyFields: ['remote.host', 'method'],
  isSuccess: (s) => isHttpClientSuccess(s.resultCode),
};

function span(
  over: Partial<ReadableSpan> & { ctx?: SpanContext; tags?: Record<string, TagValue> },
): ReadableSpan {
  const ctx = over.ctx ?? new SpanContext('1e27a79c1567438993170100210107', '0', '', true);
  const end = new Date(2019, 8, 2, 23, 43, 13, 191).getTime();
  return {
    operationName: 'GET',
    kind: 'client',
    logType: 'httpclient',
    localApp: 'HttpClientDemo',
    startTime: end - 21,
    endTime: end,
    durationMs: 21.2,
    resultCode: '200',
    error: undefined,
    tags: over.tags ?? {
      'request.url': 'http://localhost:8080/httpclient',
      method: 'GET',
      'req.size.bytes': 0,
      'resp.size.bytes': -1,
    },
    logs: [],
    threadName: 'I/O dispatcher 1',
    finished: true,
    context: () => ctx,
    ...over,
  };
}

describe('digest line encoding', () => {
  it('writes the Java HttpClient example byte for byte', () => {
    expect(encodeDigestJson(span({}), HTTPCLIENT)).toBe(JAVA_LINE);
  });

  it('keeps the Java key order and parses as JSON', () => {
    const parsed = JSON.parse(encodeDigestJson(span({}), HTTPCLIENT));
    expect(Object.keys(parsed)).toEqual(Object.keys(JSON.parse(JAVA_LINE)));
  });

  it('escapes what Java would have broken the line with (quotes, backslashes, CR/LF, control chars)', () => {
    const url = 'http://h/a"b\\c\r\nd\u0001e\u2028';
    const line = encodeDigestJson(span({ tags: { 'request.url': url, method: 'GET' } }), HTTPCLIENT);
    expect(line).not.toMatch(/[\r\n]/);
    expect(JSON.parse(line)['request.url']).toBe(url);
  });

  it('writes missing numeric fields as -1 and missing strings as ""', () => {
    const parsed = JSON.parse(encodeDigestJson(span({ tags: {} }), HTTPCLIENT));
    expect(parsed['req.size.bytes']).toBe(-1);
    expect(parsed['request.url']).toBe('');
  });

  it('writes baggage in SOFA encoding, sys then biz', () => {
    const ctx = new SpanContext(
      't1',
      '0.1',
      '0',
      true,
      new Map([['zone', 'gz']]),
      new Map([
        ['k', 'a=b&c'],
        ['mark', 'T'],
      ]),
    );
    const parsed = JSON.parse(encodeDigestJson(span({ ctx }), HTTPCLIENT));
    expect(parsed['sys.baggage']).toBe('zone=gz&');
    expect(parsed['biz.baggage']).toBe('k=a%3Db%26c&mark=T&');
  });

  it('writes the legacy comma format with a comma after each field and no field splitting', () => {
    const line = encodeDigestLegacy(
      span({ tags: { 'request.url': 'http://h/?a=1,2', method: 'GET', 'req.size.bytes': 0 } }),
      HTTPCLIENT,
    );
    expect(line).toBe(
      '2019-09-02 23:43:13.191,HttpClientDemo,1e27a79c1567438993170100210107,0,client,200,I/O dispatcher 1,21ms,http://h/?a=1%2C2,GET,0,-1,,,,',
    );
  });

  it('prints the time the same way in both formats, also for a finish time with a fraction of a ms', () => {
    const base = new Date(2019, 8, 2, 23, 43, 13, 0).getTime();
    for (const endTime of [base, base + 7, base + 191, base + 999, base + 191.5]) {
      const s = span({ endTime });
      const jsonTime = JSON.parse(encodeDigestJson(s, HTTPCLIENT)).time;
      expect(jsonTime).toBe(formatLogTime(endTime));
      expect(encodeDigestLegacy(s, HTTPCLIENT).startsWith(formatLogTime(endTime) + ',')).toBe(true);
    }
    expect(formatLogTime(base + 7)).toBe('2019-09-02 23:43:13.007');
  });
});
