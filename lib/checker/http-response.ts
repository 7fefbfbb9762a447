/**
 * An HTTP/1.1 response reader for one probe (RFC 9112), fed with what the socket reads: the status
 * line and headers of the final response (1xx interim responses are skipped, as RFC 9110 §15.2 asks
 * of every client), then, when the probe looks for a search string, the first bytes of the body,
 * decoded from its framing (Content-Length, chunked, or until the connection closes).
 *
 * Written by hand rather than with undici (which the probe used until issue 14): a probe makes one
 * request on a connection it never reuses and reads at most 5,120 body bytes, and undici's client,
 * request, stream and error objects per probe cost more CPU than the connection itself (see
 * bench/README.md "Checker"). It checks what makes a response malformed for Route 53 (RFC 7230 §3.2
 * header syntax) with llhttp's words where llhttp (undici's parser) has them:
 * - the status line `HTTP/1.x SP 3DIGIT [SP reason] CRLF` (empty lines before it are skipped);
 * - every line ends with CRLF (a bare LF or CR is malformed);
 * - header names are tokens followed directly by `:`; values hold only HTAB, SP, VCHAR and obs-text;
 *   obsolete line folding is malformed;
 * - the headers of a response fit in `maxHeaderBytes` (16 KiB, undici's default);
 * - Content-Length is digits, given once, and not together with Transfer-Encoding;
 * - chunk sizes are hex digits (with optional extensions), each chunk's data ends with CRLF.
 * The reason phrase is not checked (llhttp does not either).
 */

/** undici's default: a response whose headers exceed it is malformed. */
export const MAX_HEADER_BYTES = 16 * 1024;

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;

/** RFC 9110 §5.6.2 tchar. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;

/** RFC 9110 §5.5 field-value bytes: HTAB, SP, VCHAR, obs-text. */
const VALUE = new Uint8Array(256);
VALUE[HTAB] = 1;
for (let c = 0x20; c <= 0x7e; c++) VALUE[c] = 1;
for (let c = 0x80; c <= 0xff; c++) VALUE[c] = 1;

/** Hex digit values (+1; 0 means not a hex digit). */
const HEX = new Uint8Array(256);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c + 1;
for (let c = 0; c < 6; c++) {
  HEX[0x41 + c] = c + 11;
  HEX[0x61 + c] = c + 11;
}

const HTTP_SLASH = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"

// Where the reader is.
const STATUS_LINE = 0;
const HEADER_LINE = 1;
const BODY_LENGTH = 2;
const BODY_CLOSE = 3;
const CHUNK_SIZE = 4;
const CHUNK_EXT = 5;
const CHUNK_SIZE_LF = 6;
const CHUNK_DATA = 7;
const CHUNK_DATA_CR = 8;
const CHUNK_DATA_LF = 9;
const TRAILER_LINE_START = 10;
const TRAILER_LINE = 11;
const TRAILER_END_LF = 12;
const DONE = 13;
const FAILED = 14;

/** What {@link HttpResponseReader.read} found. */
export const NEED_MORE = 0;
export const HEADERS_COMPLETE = 1;
export const MALFORMED = 2;
export type ReadResult = typeof NEED_MORE | typeof HEADERS_COMPLETE | typeof MALFORMED;

export class HttpResponseReader {
  /** The final response's status, once its headers are complete (0 before). */
  status = 0;
  /**
   * What is malformed, in llhttp's words where it has them (set with MALFORMED; also when the body
   * read together with the head is broken, which the next read reports).
   */
  error = '';
  /** The first body bytes, decoded (with a body limit, once the headers are complete). */
  readonly body: Buffer | undefined;
  /** Bytes in {@link body}. */
  bodyBytes = 0;
  /** The body is complete (its framing says so, or the connection closed a body read until then). */
  bodyDone = false;

  private state = STATUS_LINE;
  /** An incomplete line of the head, kept from one read to the next. */
  private partial: Buffer | undefined;
  /** Bytes of the current response's head so far. */
  private headBytes = 0;
  private contentLength = -1;
  private chunked = false;
  private transferEncoding = false;
  /** Body bytes (or bytes of the current chunk) still to come. */
  private remaining = 0;
  private sawChunkDigit = false;

  /**
   * @param bodyLimit how many body bytes to keep (0: the body is not read; reading stops at the headers)
   * @param maxHeaderBytes the largest head (status line and headers) accepted
   */
  constructor(private readonly bodyLimit: number, private readonly maxHeaderBytes: number = MAX_HEADER_BYTES) {
    this.body = bodyLimit > 0 ? Buffer.allocUnsafe(bodyLimit) : undefined;
  }

  /** Whether the head of the final response has been read. */
  get headersComplete(): boolean {
    return this.state >= BODY_LENGTH && this.state !== FAILED;
  }

  /** Whether the body window is full (reading further changes nothing). */
  get bodyFull(): boolean {
    return this.bodyBytes >= this.bodyLimit;
  }

  /**
   * Reads what arrived. Before the headers are complete: NEED_MORE, HEADERS_COMPLETE (the bytes after
   * them are read as body, when there is a body limit), or MALFORMED. After: the body is read into
   * {@link body} (NEED_MORE, or MALFORMED for a broken chunked framing); see {@link bodyDone}.
   */
  read(data: Buffer): ReadResult {
    if (this.state === FAILED) return MALFORMED;
    if (this.state < BODY_LENGTH) {
      return this.readHead(data);
    }
    if (this.state === DONE || this.body === undefined) return NEED_MORE;
    return this.readBody(data, 0) ? NEED_MORE : MALFORMED;
  }

  /**
   * The endpoint closed the connection (after the headers): a body read until the close ends here.
   * Returns whether the body is complete; false means the framing promised more (a truncated body).
   */
  end(): boolean {
    if (this.state === BODY_CLOSE) {
      this.state = DONE;
      this.bodyDone = true;
    }
    return this.bodyDone;
  }

  private fail(error: string): ReadResult {
    this.state = FAILED;
    this.error = error;
    this.partial = undefined;
    return MALFORMED;
  }

  private readHead(data: Buffer): ReadResult {
    let buf = data;
    if (this.partial !== undefined) {
      buf = Buffer.concat([this.partial, data]);
      this.partial = undefined;
    }
    let pos = 0;
    const len = buf.length;
    while (pos < len) {
      const lf = buf.indexOf(LF, pos);
      const end = lf < 0 ? len : lf;
      // A CR anywhere but right before the LF.
      const cr = buf.indexOf(CR, pos);
      if (cr >= 0 && cr < end - 1) return this.fail(this.state === STATUS_LINE ? 'Missing expected LF after response line' : 'Missing expected LF after header value');
      if (lf < 0) {
        // An incomplete line: keep it (within the limit); a status line that cannot become one fails now.
        if (this.headBytes + (len - pos) > this.maxHeaderBytes) return this.fail('headers larger than the limit');
        if (this.state === STATUS_LINE) {
          for (let i = pos, k = 0; i < len && k < HTTP_SLASH.length; i++, k++) {
            if (buf[i] !== HTTP_SLASH[k] && !(k === 0 && buf[i] === CR && i === len - 1)) return this.fail('Expected HTTP/');
          }
        }
        this.partial = Buffer.from(buf.subarray(pos));
        return NEED_MORE;
      }
      this.headBytes += lf + 1 - pos;
      if (this.headBytes > this.maxHeaderBytes) return this.fail('headers larger than the limit');
      if (lf === pos || buf[lf - 1] !== CR) {
        return this.fail(this.state === STATUS_LINE ? 'Missing expected CR after response line' : 'Missing expected CR after header value');
      }
      const lineEnd = lf - 1; // the CR
      if (this.state === STATUS_LINE) {
        if (lineEnd === pos) {
          // An empty line before the status line (llhttp skips them too).
          this.headBytes = 0;
        } else {
          const r = this.statusLine(buf, pos, lineEnd);
          if (r !== undefined) return r;
          this.state = HEADER_LINE;
        }
      } else if (lineEnd === pos) {
        // The end of the head.
        const r = this.headersEnd();
        if (r !== undefined) return r;
        if (this.state === STATUS_LINE) {
          pos = lf + 1; // an interim (1xx) response: the next one follows
          continue;
        }
        // The bytes after the head are body. A broken framing there is for the body to report
        // ({@link error} is set, the next read says MALFORMED): the status is known either way.
        if (this.body !== undefined && this.state !== DONE && lf + 1 < len) this.readBody(buf, lf + 1);
        return HEADERS_COMPLETE;
      } else {
        const r = this.headerLine(buf, pos, lineEnd);
        if (r !== undefined) return r;
      }
      pos = lf + 1;
    }
    return NEED_MORE;
  }

  private statusLine(buf: Buffer, start: number, end: number): ReadResult | undefined {
    for (let k = 0; k < HTTP_SLASH.length; k++) {
      if (start + k >= end || buf[start + k] !== HTTP_SLASH[k]) return this.fail('Expected HTTP/');
    }
    let i = start + HTTP_SLASH.length;
    // HTTP/1.0 and HTTP/1.1 (RFC 9112 §2.3); anything else is not an HTTP/1 response.
    if (i + 3 > end || buf[i] !== 0x31 || buf[i + 1] !== 0x2e || (buf[i + 2] !== 0x30 && buf[i + 2] !== 0x31)) return this.fail('Invalid HTTP version');
    i += 3;
    if (i >= end || buf[i] !== SP) return this.fail('Expected space after version');
    i++;
    let status = 0;
    let digits = 0;
    while (i < end && buf[i] >= 0x30 && buf[i] <= 0x39) {
      status = status * 10 + (buf[i] - 0x30);
      digits++;
      i++;
    }
    if (digits > 3) return this.fail('Invalid response status');
    if (digits < 3 || status < 100) return this.fail('Invalid status code');
    if (i < end && buf[i] !== SP) return this.fail('Invalid response status');
    // The reason phrase: anything up to the CR (llhttp accepts any byte there too).
    this.status = status;
    this.contentLength = -1;
    this.chunked = false;
    this.transferEncoding = false;
    return undefined;
  }

  private headerLine(buf: Buffer, start: number, end: number): ReadResult | undefined {
    const first = buf[start];
    if (first === SP || first === HTAB) return this.fail('Unexpected whitespace after header value'); // obs-fold
    let i = start;
    while (i < end && TOKEN[buf[i]] === 1) i++;
    if (i === start || i >= end || buf[i] !== 0x3a) return this.fail('Invalid header token');
    const nameEnd = i;
    i++;
    while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
    let valueEnd = end;
    while (valueEnd > i && (buf[valueEnd - 1] === SP || buf[valueEnd - 1] === HTAB)) valueEnd--;
    for (let j = i; j < valueEnd; j++) if (VALUE[buf[j]] !== 1) return this.fail('Invalid header value char');
    const nameLength = nameEnd - start;
    if (nameLength === 14 && buf.toString('latin1', start, nameEnd).toLowerCase() === 'content-length') {
      if (this.contentLength >= 0) return this.fail('duplicate content-length header');
      if (i === valueEnd) return this.fail('Invalid character in Content-Length');
      let n = 0;
      for (let j = i; j < valueEnd; j++) {
        const c = buf[j];
        if (c < 0x30 || c > 0x39) return this.fail('Invalid character in Content-Length');
        n = n * 10 + (c - 0x30);
        if (n > Number.MAX_SAFE_INTEGER) return this.fail('Content-Length overflow');
      }
      this.contentLength = n;
    } else if (nameLength === 17 && buf.toString('latin1', start, nameEnd).toLowerCase() === 'transfer-encoding') {
      // The last transfer coding decides: chunked, or (for a response) the body runs until the close.
      this.transferEncoding = true;
      const codings = buf.toString('latin1', i, valueEnd).split(',');
      this.chunked = codings[codings.length - 1].trim().toLowerCase() === 'chunked';
    }
    return undefined;
  }

  private headersEnd(): ReadResult | undefined {
    const status = this.status;
    if (status < 200 && status !== 101) {
      // An interim response (100 Continue, 103 Early Hints ...): skip it, the final one follows.
      this.state = STATUS_LINE;
      this.headBytes = 0;
      this.status = 0;
      return undefined;
    }
    if (this.transferEncoding && this.contentLength >= 0) return this.fail('Transfer-Encoding together with Content-Length');
    if (status === 101 || status === 204 || status === 304) {
      this.state = DONE; // no body (RFC 9112 §6.3)
      this.bodyDone = true;
    } else if (this.transferEncoding) {
      this.state = this.chunked ? CHUNK_SIZE : BODY_CLOSE;
      this.remaining = 0;
      this.sawChunkDigit = false;
    } else if (this.contentLength >= 0) {
      this.remaining = this.contentLength;
      this.state = BODY_LENGTH;
      if (this.remaining === 0) {
        this.state = DONE;
        this.bodyDone = true;
      }
    } else {
      this.state = BODY_CLOSE;
    }
    return undefined;
  }

  /** Copies body bytes into the window, as many as fit. */
  private take(buf: Buffer, from: number, to: number): void {
    const room = this.bodyLimit - this.bodyBytes;
    if (room <= 0) return;
    const n = Math.min(room, to - from);
    buf.copy(this.body!, this.bodyBytes, from, from + n);
    this.bodyBytes += n;
  }

  private readBody(buf: Buffer, from: number): boolean {
    const len = buf.length;
    let i = from;
    if (this.state === BODY_CLOSE) {
      this.take(buf, i, len);
      return true;
    }
    if (this.state === BODY_LENGTH) {
      const n = Math.min(this.remaining, len - i);
      this.take(buf, i, i + n);
      this.remaining -= n;
      if (this.remaining === 0) {
        this.state = DONE;
        this.bodyDone = true;
      }
      return true;
    }
    while (i < len && this.state !== DONE) {
      // Once the window is full, the rest of the framing does not matter to the probe.
      if (this.bodyBytes >= this.bodyLimit) return true;
      const c = buf[i];
      switch (this.state) {
        case CHUNK_SIZE: {
          const h = HEX[c];
          if (h !== 0) {
            this.remaining = this.remaining * 16 + (h - 1);
            if (this.remaining > Number.MAX_SAFE_INTEGER) return this.bodyFail('Chunk size overflow');
            this.sawChunkDigit = true;
            i++;
          } else if (!this.sawChunkDigit) {
            return this.bodyFail('Invalid character in chunk size');
          } else if (c === CR) {
            this.state = CHUNK_SIZE_LF;
            i++;
          } else if (c === 0x3b || c === SP || c === HTAB) {
            this.state = CHUNK_EXT; // chunk extensions (and BWS before them) are ignored
            i++;
          } else {
            return this.bodyFail('Invalid character in chunk size');
          }
          break;
        }
        case CHUNK_EXT:
          if (c === CR) this.state = CHUNK_SIZE_LF;
          else if (c === LF) return this.bodyFail('Missing expected CR after chunk size');
          i++;
          break;
        case CHUNK_SIZE_LF:
          if (c !== LF) return this.bodyFail('Missing expected LF after chunk size');
          i++;
          this.sawChunkDigit = false;
          this.state = this.remaining === 0 ? TRAILER_LINE_START : CHUNK_DATA;
          break;
        case CHUNK_DATA: {
          const n = Math.min(this.remaining, len - i);
          this.take(buf, i, i + n);
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) this.state = CHUNK_DATA_CR;
          break;
        }
        case CHUNK_DATA_CR:
          if (c !== CR) return this.bodyFail('Expected CRLF after chunk data');
          this.state = CHUNK_DATA_LF;
          i++;
          break;
        case CHUNK_DATA_LF:
          if (c !== LF) return this.bodyFail('Expected CRLF after chunk data');
          this.state = CHUNK_SIZE;
          i++;
          break;
        case TRAILER_LINE_START:
          this.state = c === CR ? TRAILER_END_LF : TRAILER_LINE;
          i++;
          break;
        case TRAILER_LINE:
          if (c === LF) this.state = TRAILER_LINE_START;
          i++;
          break;
        case TRAILER_END_LF:
          if (c !== LF) return this.bodyFail('Missing expected LF after the trailers');
          this.state = DONE;
          this.bodyDone = true;
          i++;
          break;
        default:
          return true;
      }
    }
    return true;
  }

  private bodyFail(error: string): boolean {
    this.fail(error);
    return false;
  }
}
