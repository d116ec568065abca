// The raw-line check every plugin's hostile-header tests rely on (test/support/hostile-headers):
// fed real files whose bytes carry each kind of line-unsafe character, it must reject them, and
// it must accept what the tracer writes (CRLF or LF line ends, escapes such as `\u0085`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectCleanRawLines, expectSanitisedDigest, rawLinesOf } from './support/hostile-headers';

const TRACE = '0a0fe9271567477985327100211176';
let dir: string;
let n = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sofa-rawlines-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A log file holding exactly `bytes`. */
function file(...parts: (string | Buffer)[]): string {
  const p = join(dir, `digest-${n++}.log`);
  writeFileSync(p, Buffer.concat(parts.map((x) => (typeof x === 'string' ? Buffer.from(x, 'utf8') : x))));
  return p;
}

const line = (value: string | Buffer): Buffer =>
  Buffer.concat([Buffer.from(`{"traceId":"${TRACE}","v":"`), Buffer.from(value), Buffer.from('"}')]);

describe('rawLinesOf', () => {
  it('splits at the LF byte only and takes off the one CR of a CRLF end', () => {
    const p = file('a\r\n', 'b\rc\n', 'd\r\r\n', '\u2028e\u0085\n', 'last');
    expect(rawLinesOf(p).map((b) => b.toString('utf8'))).toEqual([
      'a',
      'b\rc',
      'd\r',
      '\u2028e\u0085',
      'last',
    ]);
  });
});

describe('expectCleanRawLines / expectSanitisedDigest', () => {
  it('accept the lines the tracer writes: CRLF or LF ends, escaped controls, other lines ignored', () => {
    const p = file(
      line('\\u0085 \\u2028 \\u001b é 中'),
      '\r\n',
      'no trace id here \u0085\r\n',
      line('x'),
      '\n',
    );
    expect(expectCleanRawLines(p, TRACE)).toEqual([
      { traceId: TRACE, v: '\u0085 \u2028 \u001b é 中' },
      { traceId: TRACE, v: 'x' },
    ]);
    expect(() => expectSanitisedDigest(p, TRACE)).not.toThrow();
  });

  it.each<[string, Buffer]>([
    ['raw U+0085 (C2 85)', line('a\u0085b')],
    ['raw U+2028', line('a\u2028b')],
    ['raw U+2029', line('a\u2029b')],
    ['raw C1 CSI (C2 9B)', line('a\u009b31m')],
    ['raw DEL', line('a\u007fb')],
    ['raw ESC', line('a\u001bb')],
    ['raw TAB as JSON whitespace', Buffer.from(`{"traceId":"${TRACE}",\t"v":1}`)],
    ['raw CR inside the line', Buffer.from(`{"traceId":"${TRACE}",\r"v":1}`)],
    ['a CR before the CRLF end', Buffer.from(`{"traceId":"${TRACE}"}\r`)],
    ['invalid UTF-8', line(Buffer.from([0x61, 0xff, 0x62]))],
    ['a lone continuation byte of U+0085', line(Buffer.from([0x85]))],
    ['two JSON objects on one line', Buffer.from(`{"traceId":"${TRACE}"}{"v":1}`)],
    ['a JSON array', Buffer.from(`["${TRACE}"]`)],
    ['not JSON', Buffer.from(`traceId=${TRACE}`)],
  ])('reject a line with %s', (_name, bad) => {
    const p = file(line('ok'), '\r\n', bad, '\r\n');
    expect(() => expectCleanRawLines(p, TRACE)).toThrow();
    expect(() => expectSanitisedDigest(p, TRACE)).toThrow();
  });

  it('reject a file with no line of the trace, and a missing file', () => {
    expect(() => expectCleanRawLines(file('{"traceId":"other"}\r\n'), TRACE)).toThrow();
    expect(() => expectCleanRawLines(join(dir, 'missing.log'), TRACE)).toThrow();
  });

  it('expectSanitisedDigest also bounds the line size', () => {
    const p = file(line('v'.repeat(9000)), '\r\n');
    expect(() => expectCleanRawLines(p, TRACE)).not.toThrow();
    expect(() => expectSanitisedDigest(p, TRACE)).toThrow();
  });
});
