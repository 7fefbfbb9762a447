/**
 * The probe's HTTP/1.1 response reader, fed the way a socket may deliver a response: whole, split
 * at every byte position into two reads, and one byte per read. Every split must give the same
 * status, body and verdict on malformed input.
 */
import { HEADERS_COMPLETE, HttpResponseReader, MALFORMED, MAX_HEADER_BYTES, NEED_MORE } from '../../lib/checker/http-response';

interface Outcome {
  /** The status, when the head was complete. */
  status?: number;
  /** The error, when malformed. */
  error?: string;
  /** The body window's text (latin1). */
  body: string;
  /** Whether the framing says the body is complete (after `end()` when `closed`). */
  bodyDone: boolean;
}

/** Feeds `reads` in order; with `closed`, the connection closes after them. */
function run(reads: Buffer[], bodyLimit = 64, closed = false): Outcome {
  const r = new HttpResponseReader(bodyLimit);
  let status: number | undefined;
  let headersSeen = 0;
  for (const d of reads) {
    const result = r.read(d);
    if (result === MALFORMED) return { status, error: r.error, body: r.body?.toString('latin1', 0, r.bodyBytes) ?? '', bodyDone: r.bodyDone };
    if (result === HEADERS_COMPLETE) {
      headersSeen++;
      status = r.status;
      // A broken framing in the bytes read with the head is for the next read to report.
      if (r.error !== '') return { status, error: r.error, body: r.body?.toString('latin1', 0, r.bodyBytes) ?? '', bodyDone: r.bodyDone };
    } else {
      expect(result).toBe(NEED_MORE);
    }
  }
  expect(headersSeen).toBeLessThanOrEqual(1);
  if (closed && status !== undefined) r.end();
  return { status, error: undefined, body: r.body?.toString('latin1', 0, r.bodyBytes) ?? '', bodyDone: r.bodyDone };
}

/** The same response whole, split in two at every position, and byte by byte: all must agree. */
function everySplit(response: string, bodyLimit = 64, closed = false): Outcome {
  const bytes = Buffer.from(response, 'latin1');
  const whole = run([bytes], bodyLimit, closed);
  for (let i = 1; i < bytes.length; i++) {
    const split = run([bytes.subarray(0, i), bytes.subarray(i)], bodyLimit, closed);
    expect([i, split]).toEqual([i, whole]);
  }
  const single = run(Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1)), bodyLimit, closed);
  expect(['byte by byte', single]).toEqual(['byte by byte', whole]);
  return whole;
}

describe('status line and headers', () => {
  test.each([
    ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 200],
    ['HTTP/1.0 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n', 302],
    ['HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n', 503],
    ['HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n', 200], // no reason phrase
    ['HTTP/1.1 204 \r\n\r\n', 204], // an empty reason phrase
    ['HTTP/1.1 999 Whatever\r\nContent-Length: 0\r\n\r\n', 999],
    ['\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 200], // empty lines before the status line
    ['HTTP/1.1 200 OK\r\nX-A: a\tb\r\nX-B:no-space\r\nX-C: trailing  \r\nX-D: caf\xe9\r\nContent-Length: 0\r\n\r\n', 200],
    ['HTTP/1.1 200 O\x00K\r\nContent-Length: 0\r\n\r\n', 200], // the reason phrase is not checked (nor by llhttp)
  ])('%j has status %i', (response, status) => {
    expect(everySplit(response)).toMatchObject({ status, error: undefined });
  });

  test('interim 1xx responses are skipped: the final response counts', () => {
    const r = everySplit('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nREADY');
    expect(r).toEqual({ status: 200, body: 'READY', bodyDone: true });
  });

  test('101 Switching Protocols is final (and has no body)', () => {
    expect(everySplit('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n')).toEqual({ status: 101, body: '', bodyDone: true });
  });

  test.each([
    ['HTTX/1.1 200 OK\r\n\r\n', 'Expected HTTP/'],
    ['http/1.1 200 OK\r\n\r\n', 'Expected HTTP/'],
    [' HTTP/1.1 200 OK\r\n\r\n', 'Expected HTTP/'],
    ['HTTP/1.2 200 OK\r\n\r\n', 'Invalid HTTP version'],
    ['HTTP/2.0 200 OK\r\n\r\n', 'Invalid HTTP version'],
    ['HTTP/1.1200 OK\r\n\r\n', 'Expected space after version'],
    ['HTTP/1.1 20 OK\r\n\r\n', 'Invalid status code'],
    ['HTTP/1.1  200 OK\r\n\r\n', 'Invalid status code'],
    ['HTTP/1.1 099 OK\r\n\r\n', 'Invalid status code'],
    ['HTTP/1.1 2000 OK\r\n\r\n', 'Invalid response status'],
    ['HTTP/1.1 200x OK\r\n\r\n', 'Invalid response status'],
    ['HTTP/1.1 200 OK\nContent-Length: 0\n\n', 'Missing expected CR after response line'],
    ['HTTP/1.1 200 OK\rX\r\n\r\n', 'Missing expected LF after response line'],
    ['HTTP/1.1 200 OK\r\nFoo: a\nContent-Length: 0\r\n\r\n', 'Missing expected CR after header value'],
    ['HTTP/1.1 200 OK\r\nFoo: a\rb\r\n\r\n', 'Missing expected LF after header value'],
    ['HTTP/1.1 200 OK\r\nFoo bar\r\n\r\n', 'Invalid header token'],
    ['HTTP/1.1 200 OK\r\nFo o: bar\r\n\r\n', 'Invalid header token'],
    ['HTTP/1.1 200 OK\r\nFoo : bar\r\n\r\n', 'Invalid header token'],
    ['HTTP/1.1 200 OK\r\n: bar\r\n\r\n', 'Invalid header token'],
    ['HTTP/1.1 200 OK\r\nF\xe9o: bar\r\n\r\n', 'Invalid header token'],
    ['HTTP/1.1 200 OK\r\nFoo: b\x01r\r\n\r\n', 'Invalid header value char'],
    ['HTTP/1.1 200 OK\r\nFoo: b\x7fr\r\n\r\n', 'Invalid header value char'],
    ['HTTP/1.1 200 OK\r\nFoo: bar\r\n baz\r\n\r\n', 'Unexpected whitespace after header value'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok', 'duplicate content-length header'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok', 'duplicate content-length header'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok', 'Invalid character in Content-Length'],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'Invalid character in Content-Length'],
    ['HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n', 'Invalid character in Content-Length'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n', 'Content-Length overflow'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n', 'Transfer-Encoding together with Content-Length'],
  ])('%j is malformed: %s', (response, error) => {
    expect(everySplit(response)).toMatchObject({ error });
  });

  test('a status line that cannot become one fails at its first wrong byte, before the line ends', () => {
    const r = new HttpResponseReader(0);
    expect(r.read(Buffer.from('HTTP/1.1 200 OK\r\n'.slice(0, 3)))).toBe(NEED_MORE);
    expect(r.read(Buffer.from('X'))).toBe(MALFORMED);
    expect(r.error).toBe('Expected HTTP/');
  });

  test('headers up to the limit pass; one byte more is malformed, also while the line is incomplete', () => {
    const head = (valueLength: number) => `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(valueLength)}\r\n\r\n`;
    const fixed = head(0).length;
    expect(run([Buffer.from(head(MAX_HEADER_BYTES - fixed))], 0)).toMatchObject({ status: 200, error: undefined });
    expect(run([Buffer.from(head(MAX_HEADER_BYTES - fixed + 1))], 0)).toMatchObject({ error: 'headers larger than the limit' });
    // A header line that never ends: refused once it passes the limit, without waiting for its end.
    const r = new HttpResponseReader(0);
    expect(r.read(Buffer.from('HTTP/1.1 200 OK\r\nX-Endless: '))).toBe(NEED_MORE);
    let result = NEED_MORE as number;
    for (let i = 0; i < 20 && result === NEED_MORE; i++) result = r.read(Buffer.alloc(1024, 'a'));
    expect(result).toBe(MALFORMED);
    expect(r.error).toBe('headers larger than the limit');
  });

  test('the limit counts each response of its own: interim responses do not add up', () => {
    const interim = `HTTP/1.1 103 Early Hints\r\nLink: ${'a'.repeat(10_000)}\r\n\r\n`;
    expect(run([Buffer.from(interim + interim + 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')], 0)).toMatchObject({ status: 200, error: undefined });
  });

  test('without a body limit, reading stops at the head', () => {
    const r = new HttpResponseReader(0);
    expect(r.read(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab'))).toBe(HEADERS_COMPLETE);
    expect(r.body).toBeUndefined();
    expect(r.read(Buffer.from('cde'))).toBe(NEED_MORE);
  });
});

describe('body framing', () => {
  test('Content-Length: exactly that many bytes; what follows is not body', () => {
    expect(everySplit('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nREADYtrailing junk')).toEqual({ status: 200, body: 'READY', bodyDone: true });
    expect(everySplit('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')).toEqual({ status: 200, body: '', bodyDone: true });
  });

  test('Content-Length: a body cut short is not complete', () => {
    expect(everySplit('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nREADY', 64, true)).toEqual({ status: 200, body: 'READY', bodyDone: false });
  });

  test('no length: the body runs until the connection closes', () => {
    expect(everySplit('HTTP/1.0 200 OK\r\n\r\nall READY here', 64, false)).toEqual({ status: 200, body: 'all READY here', bodyDone: false });
    expect(everySplit('HTTP/1.0 200 OK\r\n\r\nall READY here', 64, true)).toEqual({ status: 200, body: 'all READY here', bodyDone: true });
    // A transfer coding other than chunked last: also until the close (RFC 9112 §6.3).
    expect(everySplit('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc', 64, true)).toEqual({ status: 200, body: 'abc', bodyDone: true });
  });

  test('204 and 304 have no body, whatever their headers say', () => {
    expect(everySplit('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n')).toEqual({ status: 204, body: '', bodyDone: true });
    expect(everySplit('HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n')).toEqual({ status: 304, body: '', bodyDone: true });
  });

  test('chunked: chunks joined, extensions and trailers ignored, the last chunk ends the body', () => {
    const response = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
      + '3\r\nall\r\n'
      + '1;name=value\r\n \r\n'
      + 'A ; ext\r\nREADY here\r\n'
      + '0\r\nX-Trailer: yes\r\n\r\n';
    expect(everySplit(response)).toEqual({ status: 200, body: 'all READY here', bodyDone: true });
  });

  test('chunked: upper and lower case hex, and "gzip, chunked" is chunked', () => {
    const body = 'x'.repeat(0x1a) + 'y'.repeat(0xb);
    const response = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n1A\r\n' + 'x'.repeat(0x1a) + '\r\nb\r\n' + 'y'.repeat(0xb) + '\r\n0\r\n\r\n';
    expect(everySplit(response)).toEqual({ status: 200, body, bodyDone: true });
  });

  test('chunked: a body cut short is not complete', () => {
    expect(everySplit('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nREA', 64, true)).toEqual({ status: 200, body: 'REA', bodyDone: false });
    expect(everySplit('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nREADY\r\n', 64, true)).toEqual({ status: 200, body: 'READY', bodyDone: false });
  });

  test.each([
    ['x\r\n', 'Invalid character in chunk size'],
    ['\r\n', 'Invalid character in chunk size'],
    ['-1\r\n', 'Invalid character in chunk size'],
    ['5\nREADY\r\n0\r\n\r\n', 'Invalid character in chunk size'],
    ['5;x\nREADY\r\n0\r\n\r\n', 'Missing expected CR after chunk size'],
    ['5\rREADY\r\n0\r\n\r\n', 'Missing expected LF after chunk size'],
    ['5\r\nREADYX\r\n0\r\n\r\n', 'Expected CRLF after chunk data'],
    ['5\r\nREADY\rX0\r\n\r\n', 'Expected CRLF after chunk data'],
    ['0\r\n\rX', 'Missing expected LF after the trailers'],
    ['fffffffffffffffff\r\n', 'Chunk size overflow'],
  ])('chunked %j is malformed: %s', (framing, error) => {
    expect(everySplit(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${framing}`)).toMatchObject({ status: 200, error });
  });

  test('only the first bodyLimit bytes are kept; the rest of the framing is not read', () => {
    const chunk = 'z'.repeat(40);
    const response = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n28\r\n${chunk}\r\n28\r\n${chunk}\r\nnot hex at all`;
    const r = new HttpResponseReader(64);
    expect(r.read(Buffer.from(response))).toBe(HEADERS_COMPLETE);
    expect(r.error).toBe('');
    expect(r.bodyBytes).toBe(64);
    expect(r.bodyFull).toBe(true);
    expect(r.read(Buffer.from('more'))).toBe(NEED_MORE);
    expect(r.bodyBytes).toBe(64);
  });
});
