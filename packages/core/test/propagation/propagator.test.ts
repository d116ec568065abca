import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { fnv1a64Hex } from '../../src/ids';
import { Propagator } from '../../src/propagation';
import type { SpanContext } from '../../src/span/span-context';
import { ctx } from './helpers';

const JAVA_TRACE = '0a0fe9271567477985327100211176';

function view(c: SpanContext | null) {
  return (
    c && {
      traceId: c.traceId,
      spanId: c.spanId,
      parentId: c.parentId,
      sampled: c.sampled,
      remote: c.remote,
      traceState: c.traceState,
      sys: Object.fromEntries(c.sysBaggage),
      biz: Object.fromEntries(c.bizBaggage),
    }
  );
}

describe('Propagator', () => {
  it('defaults: injects sofa-b3 + w3c, extracts sofa-b3, sftc, w3c, b3 in that order', () => {
    const p = new Propagator();
    expect(p.injectFormats).toEqual(['sofa-b3', 'w3c']);
    expect(p.extractFormats).toEqual(['sofa-b3', 'sftc', 'w3c', 'b3']);
    const headers: Record<string, string> = {};
    p.inject(ctx(JAVA_TRACE, '0.1', true, [], [['mark', 'T']]), 'http_headers', headers);
    expect(headers).toEqual({
      'X-B3-TraceId': JAVA_TRACE,
      'X-B3-SpanId': '0.1',
      'X-B3-ParentSpanId': '0',
      'X-B3-Sampled': 'true',
      'baggage-mark': 'T',
      traceparent: `00-000a0fe9271567477985327100211176-${fnv1a64Hex('0.1')}-01`,
      tracestate: 'sofa=0.1',
      baggage: 'mark=T',
    });
  });

  it('first valid format in the configured order wins', () => {
    const carrier = {
      'x-b3-traceid': JAVA_TRACE,
      'x-b3-spanid': '0.1',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    };
    expect(new Propagator().extract('http_headers', carrier)!.traceId).toBe(JAVA_TRACE);
    expect(new Propagator({ extract: ['w3c', 'sofa-b3'] }).extract('http_headers', carrier)!.traceId).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
    expect(new Propagator({ extract: ['b3'] }).extract('http_headers', carrier)).toBeNull();
    // an invalid first format falls through to the next
    expect(new Propagator().extract('http_headers', { ...carrier, 'x-b3-traceid': 'bad id' })!.traceId).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
  });

  it('keeps the tracestate of a valid traceparent of the same trace when sofa-b3 wins', () => {
    const p = new Propagator();
    const headers: Record<string, string> = {};
    const client = ctx(JAVA_TRACE, '0.1', true);
    client.traceState = 'congo=t61rcWkgMzE';
    p.inject(client, 'http_headers', headers);
    const server = p.extract('http_headers', headers)!;
    expect(view(server)).toEqual({
      traceId: JAVA_TRACE,
      spanId: '0.1',
      parentId: '0',
      sampled: true,
      remote: true,
      traceState: 'congo=t61rcWkgMzE',
      sys: {},
      biz: {},
    });
    // a traceparent of another trace does not lend its tracestate
    const other = p.extract('http_headers', {
      ...headers,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    })!;
    expect(other.traceState).toBeUndefined();
  });

  it('text_map carriers (Kafka headers with Buffers) are not URL-encoded', () => {
    const p = new Propagator({ inject: ['sofa-b3', 'sftc'] });
    const kafkaHeaders: Record<string, string | Buffer> = {};
    p.inject(ctx(JAVA_TRACE, '0.2', true, [], [['city', '杭州']]), 'text_map', kafkaHeaders);
    expect(kafkaHeaders['baggage-city']).toBe('杭州');
    expect(kafkaHeaders.sftc_head).toBe(`tcid=${JAVA_TRACE}&spid=0.2&pspid=0&sample=true&city=杭州&`);
    const asBuffers = Object.fromEntries(Object.entries(kafkaHeaders).map(([k, v]) => [k, Buffer.from(v)]));
    expect(view(p.extract('text_map', asBuffers))).toMatchObject({
      traceId: JAVA_TRACE,
      spanId: '0.2',
      biz: { city: '杭州' },
    });
  });

  it('applies the configured baggage limits and warns', () => {
    const warnings: string[] = [];
    const p = new Propagator({
      bizBaggageMaxLength: 8,
      sysBaggageMaxLength: 0,
      warn: (m) => warnings.push(m),
    });
    const c = p.extract('http_headers', {
      'x-b3-traceid': JAVA_TRACE,
      'baggage-a': '1',
      'baggage-b': '2',
      'baggage-c': '3',
      'baggage-sys-s': '1',
    })!;
    expect(Object.fromEntries(c.bizBaggage)).toEqual({ a: '1', b: '2' });
    expect(c.sysBaggage.size).toBe(0);
    expect(warnings).toHaveLength(2);
  });

  it('reports oversized headers and ignores them', () => {
    const warnings: string[] = [];
    const p = new Propagator({ warn: (m) => warnings.push(m) });
    const c = p.extract('http_headers', { 'x-b3-traceid': JAVA_TRACE, 'baggage-big': 'x'.repeat(100_000) })!;
    expect(c.bizBaggage.size).toBe(0);
    expect(warnings).toEqual(['propagation: ignored header(s) longer than 16384 chars: baggage-big']);
  });

  it('ignores unknown formats with a warning', () => {
    const warnings: string[] = [];
    const p = new Propagator({ inject: ['jaeger' as never, 'w3c'], warn: (m) => warnings.push(m) });
    expect(p.injectFormats).toEqual(['w3c']);
    expect(warnings[0]).toContain('"jaeger"');
  });
});

describe('Propagator over real sockets', () => {
  let server: Server;
  let port: number;
  const p = new Propagator();
  let lastHeaders: IncomingHttpHeaders = {};

  beforeAll(async () => {
    server = createServer((req, res) => {
      lastHeaders = req.headers;
      const remote = p.extract('http_headers', req.headers);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(view(remote)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function get(headers: Record<string, string>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve(JSON.parse(body)));
      });
      req.on('error', reject);
      req.end();
    });
  }

  function rawRequest(lines: string[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const sock = connect(port, '127.0.0.1');
      let data = '';
      sock.setEncoding('utf8');
      sock.on('data', (d: string) => (data += d));
      sock.on('end', () => resolve(JSON.parse(data.slice(data.indexOf('\r\n\r\n') + 4))));
      sock.on('error', reject);
      sock.end(['GET / HTTP/1.1', 'Host: x', 'Connection: close', ...lines, '', ''].join('\r\n'));
    });
  }

  it('a Java SOFATracer request (URL-encoded UTF-8 baggage) is read exactly', async () => {
    const got = await get({
      'X-B3-TraceId': JAVA_TRACE,
      'X-B3-SpanId': '0.1',
      'X-B3-ParentSpanId': '0',
      'X-B3-Sampled': 'true',
      'baggage-sys-k': 'v',
      'baggage-mark': 'T',
      'baggage-city': '%E6%9D%AD%E5%B7%9E',
    });
    expect(got).toEqual({
      traceId: JAVA_TRACE,
      spanId: '0.1',
      parentId: '0',
      sampled: true,
      remote: true,
      sys: { k: 'v' },
      biz: { mark: 'T', city: '杭州' },
    });
  });

  it('what we inject travels through node:http and comes back as the same context', async () => {
    const headers: Record<string, string> = {};
    const client = ctx(
      JAVA_TRACE,
      '0.1.2',
      false,
      [['zone', 'GZ00A']],
      [
        ['mark', 'T'],
        ['note', '100% = ok & 杭州'],
      ],
    );
    client.traceState = 'rojo=00f067aa0ba902b7';
    p.inject(client, 'http_headers', headers);
    const got = await get(headers);
    expect(got).toEqual({
      traceId: JAVA_TRACE,
      spanId: '0.1.2',
      parentId: '0.1',
      sampled: false,
      remote: true,
      traceState: 'rojo=00f067aa0ba902b7',
      sys: { zone: 'GZ00A' },
      biz: { mark: 'T', note: '100% = ok & 杭州' },
    });
    expect(lastHeaders['baggage-note']).toBe('100%2525+%253D+ok+%2526+%E6%9D%AD%E5%B7%9E');
  });

  it('fetch Headers carry the same headers', async () => {
    const h = new Headers();
    p.inject(ctx(JAVA_TRACE, '0.3', true, [], [['mark', 'T']]), 'http_headers', h);
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers: h });
    expect(await res.json()).toEqual({
      traceId: JAVA_TRACE,
      spanId: '0.3',
      parentId: '0',
      sampled: true,
      remote: true,
      sys: {},
      biz: { mark: 'T' },
    });
  });

  it('duplicate headers on the wire: Node joins them with ", " and the first sofa-b3 value wins', async () => {
    const got = await rawRequest([
      `X-B3-TraceId: ${JAVA_TRACE}`,
      'X-B3-TraceId: ffffffff1567477985327100299999',
      'X-B3-SpanId: 0.1',
      'X-B3-SpanId: 0.7',
      'baggage-mark: T',
      'baggage-mark: F',
    ]);
    expect(got).toMatchObject({ traceId: JAVA_TRACE, spanId: '0.1', biz: { mark: 'T' } });
    expect(lastHeaders['x-b3-traceid']).toBe(`${JAVA_TRACE}, ffffffff1567477985327100299999`);
  });

  it('duplicate traceparent headers on the wire start a new trace (W3C test suite)', async () => {
    const got = await rawRequest([
      'traceparent: 00-12345678901234567890123456789011-1234567890123456-01',
      'traceparent: 00-12345678901234567890123456789012-1234567890123456-01',
    ]);
    expect(got).toBeNull();
  });

  it('multiple tracestate and baggage headers on the wire are combined in order', async () => {
    const got = await rawRequest([
      'traceparent: 00-12345678901234567890123456789012-1234567890123456-00',
      'tracestate: foo=1,bar=2',
      'tracestate: rojo=1,congo=2',
      'baggage: userId=alice',
      'baggage: serverNode=DF%2028,isProduction=false',
    ]);
    expect(got).toEqual({
      traceId: '12345678901234567890123456789012',
      spanId: '1234567890123456',
      parentId: '',
      sampled: false,
      remote: true,
      traceState: 'foo=1,bar=2,rojo=1,congo=2',
      sys: {},
      biz: { userId: 'alice', serverNode: 'DF 28', isProduction: 'false' },
    });
  });
});
