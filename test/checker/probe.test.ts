/**
 * Every probe rule of ROUTE53.md §1 against local servers that misbehave on purpose.
 * Deadlines use short self-hosted timeouts (300 ms) and are asserted within [deadline, deadline + TOL].
 */
import * as dgram from 'dgram';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import { performance } from 'perf_hooks';
import * as tls from 'tls';
import {
  Cleanup, closedPort, fakeLookup, httpServer, httpsServer, listen, neverAcceptingPort, rawResponder, rawServer,
  selfSignedCert, sleep, target, timedProbe, waitFor,
} from './helpers';
import {
  dnsLookupIPv4, HostResolver, hostHeaderFor, probe, probeTargetOf, SEARCH_WINDOW_BYTES, systemLookupIPv4,
} from '../../lib/checker';
import { DnsNode } from '../../lib/dns';
import { HealthCheckConfigModel } from '../../lib/model/types';
import { sampleConfig } from '../dns/helpers';

const TOL = 200;
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const fast = { connectTimeout: 0.3, statusTimeout: 0.3 };
const fastBody = { ...fast, bodyTimeout: 0.3 };

function expectWithin(elapsed: number, deadline: number): void {
  expect(elapsed).toBeGreaterThanOrEqual(deadline - 2);
  expect(elapsed).toBeLessThanOrEqual(deadline + TOL);
}

describe('HTTP status', () => {
  test.each([200, 204, 301, 302, 304, 399])('status %i is a success', async (status) => {
    const { port } = await httpServer((_req, res) => {
      res.writeHead(status, status >= 300 && status < 400 ? { location: '/elsewhere' } : {});
      res.end();
    }, cleanup);
    const r = await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port }));
    expect(r).toMatchObject({ healthy: true, reason: `HTTP status ${status}`, address: '127.0.0.1' });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
  });

  test.each([400, 404, 500, 503])('fails with status %i', async (status) => {
    const { port } = await httpServer((_req, res) => {
      res.writeHead(status);
      res.end('no');
    }, cleanup);
    const r = await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port }));
    expect(r).toMatchObject({ healthy: false, reason: `HTTP status ${status}` });
  });

  test('a redirect is not followed: one request, and 302 counts as a success', async () => {
    const paths: string[] = [];
    const { port } = await httpServer((req, res) => {
      paths.push(req.url!);
      if (req.url === '/health') {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/broken` });
        res.end();
      } else {
        res.writeHead(500);
        res.end();
      }
    }, cleanup);
    const r = await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port, resourcePath: '/health' }));
    expect(r).toMatchObject({ healthy: true, reason: 'HTTP status 302' });
    await sleep(50);
    expect(paths).toEqual(['/health']);
  });

  test('sends GET with the resource path, query string kept, a missing leading slash added', async () => {
    const seen: Array<{ method?: string; url?: string }> = [];
    const { port } = await httpServer((req, res) => {
      seen.push({ method: req.method, url: req.url });
      res.end('ok');
    }, cleanup);
    await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port, resourcePath: 'status?deep=1' }));
    expect(seen).toEqual([{ method: 'GET', url: '/status?deep=1' }]);
  });
});

describe('Host header', () => {
  test('FQDN:port on a port other than the default, connecting to the IP address', async () => {
    const hosts: string[] = [];
    const { port } = await httpServer((req, res) => {
      hosts.push(req.headers.host!);
      res.end();
    }, cleanup);
    await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port, fullyQualifiedDomainName: 'www.example.com' }));
    expect(hosts).toEqual([`www.example.com:${port}`]);
  });

  test('the IP (with the port) when there is no FQDN', async () => {
    const hosts: string[] = [];
    const { port } = await httpServer((req, res) => {
      hosts.push(req.headers.host!);
      res.end();
    }, cleanup);
    await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port }));
    expect(hosts).toEqual([`127.0.0.1:${port}`]);
  });

  test('the rule on default and other ports, HTTP and HTTPS, IPv4 and IPv6', () => {
    expect(hostHeaderFor('HTTP', 80, 'www.example.com', '192.0.2.1')).toBe('www.example.com');
    expect(hostHeaderFor('HTTPS', 443, 'www.example.com', undefined)).toBe('www.example.com');
    expect(hostHeaderFor('HTTP', 443, 'www.example.com', undefined)).toBe('www.example.com:443');
    expect(hostHeaderFor('HTTPS', 80, 'www.example.com', undefined)).toBe('www.example.com:80');
    expect(hostHeaderFor('HTTP', 80, undefined, '192.0.2.1')).toBe('192.0.2.1');
    expect(hostHeaderFor('HTTP', 8080, undefined, '192.0.2.1')).toBe('192.0.2.1:8080');
    expect(hostHeaderFor('HTTPS', 443, undefined, '2001:db8::1')).toBe('[2001:db8::1]');
    expect(probeTargetOf({ id: 'x', config: { type: 'HTTP', fullyQualifiedDomainName: 'www.example.com.' } }).hostHeader).toBe('www.example.com');
  });

  test('an endpoint given by name is resolved (IPv4) and gets the FQDN as Host', async () => {
    const hosts: string[] = [];
    const { port } = await httpServer((req, res) => {
      hosts.push(req.headers.host!);
      res.end();
    }, cleanup);
    const lookup = fakeLookup({ 'gw.example.test': '127.0.0.1' });
    const r = await timedProbe(target({ type: 'HTTP', fullyQualifiedDomainName: 'gw.example.test', port }), new HostResolver(lookup, 300));
    expect(r).toMatchObject({ healthy: true, address: '127.0.0.1' });
    expect(hosts).toEqual([`gw.example.test:${port}`]);
  });
});

describe('HTTPS, TLS and SNI', () => {
  test('a self-signed certificate for another name is not validated', async () => {
    const { key, cert } = selfSignedCert();
    const { port } = await httpsServer({ key, cert }, (_req, res) => res.end('ok'), cleanup);
    const r = await timedProbe(target({ type: 'HTTPS', ipAddress: '127.0.0.1', port, fullyQualifiedDomainName: 'www.example.com' }));
    expect(r).toMatchObject({ healthy: true, reason: 'HTTP status 200' });
  });

  test('SNI carries the FQDN by default and with enableSni, and is absent with enableSni false', async () => {
    const { key, cert } = selfSignedCert();
    const names: Array<string | false> = [];
    const { port } = await httpsServer({ key, cert }, (req, res) => {
      names.push((req.socket as tls.TLSSocket).servername ?? false);
      res.end();
    }, cleanup);
    const base = { type: 'HTTPS' as const, ipAddress: '127.0.0.1', port, fullyQualifiedDomainName: 'sni.example.com' };
    await timedProbe(target(base));
    await timedProbe(target({ ...base, enableSni: true }));
    await timedProbe(target({ ...base, enableSni: false }));
    await timedProbe(target({ type: 'HTTPS', ipAddress: '127.0.0.1', port }));
    expect(names).toEqual(['sni.example.com', 'sni.example.com', false, false]);
  });

  test('a server that needs SNI fails the handshake without it, and passes with it', async () => {
    const { key, cert } = selfSignedCert();
    // Only an SNI callback, no default certificate: a hello without SNI cannot be answered.
    type SniCallback = (e: Error | null, c: tls.SecureContext) => void;
    const sniOnly = { SNICallback: (_name: string, cb: SniCallback) => cb(null, tls.createSecureContext({ key, cert })) };
    const { port } = await httpsServer(sniOnly, (_req, res) => res.end(), cleanup);
    const base = { type: 'HTTPS' as const, ipAddress: '127.0.0.1', port, fullyQualifiedDomainName: 'sni.example.com' };
    const without = await timedProbe(target({ ...base, enableSni: false }));
    expect(without.healthy).toBe(false);
    expect(without.reason).toMatch(/^TLS handshake failed: .*handshake failure/);
    expect(await timedProbe(target(base))).toMatchObject({ healthy: true });
  });

  test('TLS to a plain HTTP server fails the handshake', async () => {
    const { port } = await rawResponder('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', cleanup);
    const r = await timedProbe(target({ type: 'HTTPS', ipAddress: '127.0.0.1', port, ...fast }));
    expect(r.healthy).toBe(false);
    expect(r.reason).toMatch(/^TLS handshake failed: /);
  });

  test('a TLS handshake that never completes counts against the status deadline (from connecting)', async () => {
    const { port } = await rawServer(() => undefined, cleanup); // accepts, never answers the hello
    const r = await timedProbe(target({ type: 'HTTPS', ipAddress: '127.0.0.1', port, ...fast }));
    expect(r).toMatchObject({ healthy: false, reason: 'TLS handshake timed out (not completed within 300 ms of connecting)' });
    expectWithin(r.elapsed, 300);
  });

  test('HTTPS_STR_MATCH reads the body over TLS', async () => {
    const { key, cert } = selfSignedCert();
    const { port } = await httpsServer({ key, cert }, (_req, res) => res.end('status: all good'), cleanup);
    const r = await timedProbe(target({ type: 'HTTPS_STR_MATCH', ipAddress: '127.0.0.1', port, searchString: 'all good' }));
    expect(r).toMatchObject({ healthy: true, reason: 'HTTP status 200, search string found' });
  });
});

describe('deadlines', () => {
  test('connect: a listener that never accepts times out at connectTimeout', async () => {
    const port = await neverAcceptingPort(cleanup);
    const r = await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port, ...fast }));
    expect(r).toMatchObject({ healthy: false, reason: 'connection timed out (no TCP connection within 300 ms)' });
    expectWithin(r.elapsed, 300);
  });

  test('status: a server that accepts and never answers times out at statusTimeout after connecting', async () => {
    const { port } = await rawServer(() => undefined, cleanup);
    const r = await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port, ...fast }));
    expect(r).toMatchObject({ healthy: false, reason: 'response timed out (no HTTP status within 300 ms of connecting)' });
    expectWithin(r.elapsed, 300);
  });

  test('status: headers trickled one byte at a time never beat the deadline', async () => {
    const { port } = await rawServer((s) => {
      const text = 'HTTP/1.1 200 OK\r\nX-Slow: ' + 'x'.repeat(100) + '\r\n\r\n';
      let i = 0;
      const timer = setInterval(() => {
        if (s.destroyed || i >= text.length) return clearInterval(timer);
        s.write(text[i++]);
      }, 20);
      s.on('close', () => clearInterval(timer));
    }, cleanup);
    const r = await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port, ...fast }));
    expect(r).toMatchObject({ healthy: false, reason: 'response timed out (no HTTP status within 300 ms of connecting)' });
    expectWithin(r.elapsed, 300);
  });

  test('status: a status that arrives before the deadline passes', async () => {
    const { port } = await httpServer((_req, res) => {
      setTimeout(() => res.end('late but fine'), 150);
    }, cleanup);
    const r = await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port, ...fast }));
    expect(r).toMatchObject({ healthy: true, reason: 'HTTP status 200' });
    expect(r.latencyMs!).toBeGreaterThanOrEqual(140);
  });

  test('body: a body trickled one byte per second times out at bodyTimeout after the status', async () => {
    let statusSentAt = 0;
    const { port } = await rawServer((s) => {
      s.once('data', () => {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
        statusSentAt = performance.now();
        const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write('a')), 1000);
        s.write('a');
        s.on('close', () => clearInterval(timer));
      });
    }, cleanup);
    const r = await timedProbe(target({ type: 'HTTP_STR_MATCH', ipAddress: '127.0.0.1', port, searchString: 'ready', ...fastBody }));
    const end = performance.now();
    expect(r).toMatchObject({ healthy: false, reason: 'response timed out (search string not found within 300 ms of the status; 1 bytes received)' });
    expectWithin(end - statusSentAt, 300);
  });

  test('TCP: connected within the deadline passes; a listener that never accepts times out', async () => {
    const { port: open } = await rawServer(() => undefined, cleanup);
    expect(await timedProbe(target({ type: 'TCP', ipAddress: '127.0.0.1', port: open }))).toMatchObject({ healthy: true, reason: 'TCP connection established' });
    const port = await neverAcceptingPort(cleanup);
    const r = await timedProbe(target({ type: 'TCP', ipAddress: '127.0.0.1', port, connectTimeout: 0.3 }));
    expect(r).toMatchObject({ healthy: false, reason: 'connection timed out (no TCP connection within 300 ms)' });
    expectWithin(r.elapsed, 300);
  });

  test('the defaults are Route 53\'s: 4 s connect, 10 s TCP, 2 s status, 2 s body', () => {
    expect(target({ type: 'HTTP_STR_MATCH', ipAddress: '127.0.0.1', searchString: 'x' }).timeouts).toEqual({ connectMs: 4000, statusMs: 2000, bodyMs: 2000 });
    expect(target({ type: 'TCP', ipAddress: '127.0.0.1', port: 22 }).timeouts.connectMs).toBe(10_000);
  });
});

describe('search string', () => {
  function bodyServer(body: Buffer | string, chunks = 1) {
    return httpServer((_req, res) => {
      const b = Buffer.from(body);
      res.writeHead(200, { 'content-length': b.length });
      const size = Math.ceil(b.length / chunks);
      let i = 0;
      const next = () => {
        if (i >= b.length) {
          res.end();
          return;
        }
        res.write(b.subarray(i, i + size));
        i += size;
        setTimeout(next, 5);
      };
      next();
    }, cleanup);
  }
  const strMatch = (port: number, searchString: string) => target({ type: 'HTTP_STR_MATCH', ipAddress: '127.0.0.1', port, searchString, ...fastBody });

  test('a string ending exactly at byte 5120 passes', async () => {
    const body = 'a'.repeat(SEARCH_WINDOW_BYTES - 5) + 'READY' + 'b'.repeat(100);
    const { port } = await bodyServer(body, 3);
    expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: true, reason: 'HTTP status 200, search string found' });
  });

  test('a string crossing byte 5120 fails', async () => {
    const body = 'a'.repeat(SEARCH_WINDOW_BYTES - 4) + 'READY' + 'b'.repeat(100);
    const { port } = await bodyServer(body, 3);
    expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: false, reason: 'search string not found in the first 5120 bytes' });
  });

  test('a string split across two writes is found', async () => {
    const body = 'x'.repeat(1000) + 'READY' + 'y'.repeat(1000);
    const { port } = await httpServer((_req, res) => {
      res.write(body.slice(0, 1002));
      setTimeout(() => res.end(body.slice(1002)), 20);
    }, cleanup);
    expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: true });
  });

  test('matching is case-sensitive and byte-exact (UTF-8)', async () => {
    const { port } = await bodyServer('status: ready, café');
    expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: false });
    expect(await timedProbe(strMatch(port, 'ready'))).toMatchObject({ healthy: true });
    expect(await timedProbe(strMatch(port, 'café'))).toMatchObject({ healthy: true });
  });

  test('a short body without the string fails when it ends', async () => {
    const { port } = await bodyServer('nothing here');
    expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: false, reason: 'search string not found in the first 5120 bytes (the body has 12 bytes)' });
  });

  test('the status still counts: 503 with the string fails', async () => {
    const { port } = await httpServer((_req, res) => {
      res.writeHead(503);
      res.end('READY');
    }, cleanup);
    expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: false, reason: 'HTTP status 503' });
  });

  test('a 1 GB body: only the first 5,120 bytes are read, then the connection is closed', async () => {
    let written = 0;
    let closedAfter = -1;
    const chunk = Buffer.alloc(64 * 1024, 'z');
    const { port } = await rawServer((s) => {
      s.once('data', () => {
        s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${1024 ** 3}\r\n\r\n`);
        const pump = () => {
          while (!s.destroyed && written < 1024 ** 3) {
            written += chunk.length;
            if (!s.write(chunk)) return void s.once('drain', pump);
          }
        };
        pump();
      });
      s.on('close', () => (closedAfter = written));
    }, cleanup);
    const heapBefore = process.memoryUsage().heapUsed;
    const r = await timedProbe(strMatch(port, 'READY'));
    expect(r).toMatchObject({ healthy: false, reason: 'search string not found in the first 5120 bytes' });
    expect(r.elapsed).toBeLessThan(300);
    await sleep(50);
    expect(closedAfter).toBeGreaterThanOrEqual(0);
    expect(closedAfter).toBeLessThan(64 * 1024 * 1024); // far from 1 GB: the server saw us go
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024);
  });
});

describe('malformed responses and broken connections', () => {
  test.each([
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nFoo bar\r\nContent-Length: 0\r\n\r\n', 'Invalid header token'],
    ['a space in a header name', 'HTTP/1.1 200 OK\r\nFo o: bar\r\nContent-Length: 0\r\n\r\n', 'Invalid header token'],
    ['a control character in a value', 'HTTP/1.1 200 OK\r\nFoo: b\x01r\r\nContent-Length: 0\r\n\r\n', 'Invalid header value char'],
    ['obsolete line folding', 'HTTP/1.1 200 OK\r\nFoo: bar\r\n baz\r\nContent-Length: 0\r\n\r\n', 'whitespace'],
    ['a status line that is not HTTP', 'HTTX/1.1 200 OK\r\n\r\n', 'Expected HTTP/'],
    ['bare LF line endings', 'HTTP/1.1 200 OK\nContent-Length: 0\n\n', 'CR'],
    ['two different Content-Length values', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok', 'length'],
    ['headers larger than 16 KiB', `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 'headers larger than the limit'],
  ])('%s is a malformed response', async (_name, response, detail) => {
    const { port } = await rawResponder(response, cleanup);
    const r = await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port, ...fast }));
    expect(r.healthy).toBe(false);
    expect(r.reason).toMatch(/^malformed HTTP response: /);
    expect(r.reason).toContain(detail);
  });

  test('a closed port: connection refused', async () => {
    const port = await closedPort();
    const r = await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port, ...fast }));
    expect(r).toMatchObject({ healthy: false, reason: 'connection refused' });
    expect(r.elapsed).toBeLessThan(100);
    expect(await timedProbe(target({ type: 'TCP', ipAddress: '127.0.0.1', port }))).toMatchObject({ healthy: false, reason: 'connection refused' });
  });

  test('a reset after the request: connection reset', async () => {
    const { port } = await rawServer((s) => s.once('data', () => s.resetAndDestroy()), cleanup);
    expect(await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port, ...fast }))).toMatchObject({ healthy: false, reason: 'connection reset before the status' });
  });

  test('a close without a response: connection closed by the endpoint', async () => {
    const { port } = await rawServer((s) => s.once('data', () => s.end()), cleanup);
    expect(await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port, ...fast }))).toMatchObject({ healthy: false, reason: 'connection closed by the endpoint before the status' });
  });

  test('a reset in the middle of the body', async () => {
    const { port } = await rawServer((s) => s.once('data', () => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc');
      setTimeout(() => s.resetAndDestroy(), 20);
    }), cleanup);
    const r = await timedProbe(target({ type: 'HTTP_STR_MATCH', ipAddress: '127.0.0.1', port, searchString: 'READY', ...fastBody }));
    expect(r.healthy).toBe(false);
    expect(r.reason).toMatch(/^(connection reset|connection closed by the endpoint) while reading the body$/);
  });

  test('many bad endpoints at once leave no socket behind', async () => {
    const open = new Set<net.Socket>();
    const { port } = await rawServer((s) => {
      open.add(s);
      s.resume(); // read (and ignore) the request, so the client's close is seen
      s.on('close', () => open.delete(s));
    }, cleanup);
    const t = target({ type: 'HTTP', ipAddress: '127.0.0.1', port, ...fast });
    const results = await Promise.all(Array.from({ length: 50 }, () => probe(t, { resolver: new HostResolver() })));
    expect(results.every((r) => !r.healthy && r.reason.startsWith('response timed out'))).toBe(true);
    await sleep(100);
    expect(open.size).toBe(0);
  });
});

describe('reading the response on the socket (the probe\'s own HTTP/1.1 reader, issue 14)', () => {
  /** A raw server that writes `parts` one after the other, `gapMs` apart, after the request arrives. */
  function writesInParts(parts: Array<string | Buffer>, gapMs: number, thenClose = true) {
    return rawServer((s) => {
      s.once('data', () => {
        let i = 0;
        const next = () => {
          if (s.destroyed) return;
          if (i >= parts.length) {
            if (thenClose) s.end();
            return;
          }
          s.write(parts[i++]);
          setTimeout(next, gapMs);
        };
        next();
      });
    }, cleanup);
  }
  const strMatch = (port: number, searchString: string) => target({ type: 'HTTP_STR_MATCH', ipAddress: '127.0.0.1', port, searchString, ...fastBody });

  test('the request on the wire: GET, the path, Host, User-Agent, Accept, Connection: close, nothing else', async () => {
    let seen = '';
    const { port } = await rawServer((s) => {
      s.on('data', (d) => {
        seen += d.toString('latin1');
        if (seen.includes('\r\n\r\n')) s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      });
    }, cleanup);
    const t = target({ type: 'HTTP', ipAddress: '127.0.0.1', port, resourcePath: '/health?x=1', fullyQualifiedDomainName: 'gw.example.com' });
    expect(await probe(t, { resolver: new HostResolver(), userAgent: 'dns-failover-checker/1 (eu-1)' })).toMatchObject({ healthy: true });
    expect(seen).toBe(`GET /health?x=1 HTTP/1.1\r\nHost: gw.example.com:${port}\r\nUser-Agent: dns-failover-checker/1 (eu-1)\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
  });

  test('a path that cannot go on the request line fails before connecting, naming it', async () => {
    let connections = 0;
    const { port } = await rawServer(() => connections++, cleanup);
    const r = await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port, resourcePath: '/a b\r\nX-Injected: 1' }));
    expect(r).toMatchObject({ healthy: false });
    expect(r.reason).toMatch(/^request failed before connecting: invalid request path "\/a b\\r\\nX-Injected: 1"/);
    await sleep(20);
    expect(connections).toBe(0);
  });

  test('a status line split over three writes is read whole', async () => {
    const { port } = await writesInParts(['HTT', 'P/1.1 2', '00 OK\r\nContent-Le', 'ngth: 0\r\n\r\n'], 20);
    const r = await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port, ...fast }));
    expect(r).toMatchObject({ healthy: true, reason: 'HTTP status 200' });
    expect(r.latencyMs!).toBeGreaterThanOrEqual(55);
  });

  test('interim 100 and 103 responses before the final one are skipped', async () => {
    const { port } = await writesInParts(['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nREADY'], 10);
    expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: true, reason: 'HTTP status 200, search string found' });
  });

  test('chunked: a search string split across two chunks, sent in separate writes, is found', async () => {
    const { port } = await writesInParts([
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
      'A\r\nstate: R', 'EA\r\n', '5;ext=1\r\nDY ok\r\n', '0\r\n\r\n',
    ], 15);
    expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: true, reason: 'HTTP status 200, search string found' });
  });

  test('chunked: the 5,120 bytes are counted on the decoded body, not on the framing', async () => {
    // 5,115 bytes in 5 chunks of 1,023, then READY: it ends exactly at byte 5,120 of the body,
    // although more than 5,120 bytes (with the chunk sizes) came over the wire before it.
    const parts = ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'];
    for (let i = 0; i < 5; i++) parts.push(`3ff\r\n${'a'.repeat(1023)}\r\n`);
    parts.push('5\r\nREADY\r\n0\r\n\r\n');
    const { port } = await writesInParts(parts, 5);
    expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: true });
    const late = ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', `1401\r\n${'a'.repeat(5121)}\r\n`, '5\r\nREADY\r\n0\r\n\r\n'];
    const { port: port2 } = await writesInParts(late, 5);
    expect(await timedProbe(strMatch(port2, 'READY'))).toMatchObject({ healthy: false, reason: 'search string not found in the first 5120 bytes' });
  });

  test('chunked: a body that ends without the string fails when its last chunk comes', async () => {
    const { port } = await writesInParts(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbusy\r\n0\r\nX-Trailer: 1\r\n\r\n'], 5, false);
    expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: false, reason: 'search string not found in the first 5120 bytes (the body has 4 bytes)' });
  });

  test('chunked: a connection closed in the middle of a chunk is not a complete body', async () => {
    const { port } = await writesInParts(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nbusy'], 5);
    expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: false, reason: 'connection closed by the endpoint while reading the body' });
  });

  test('chunked: a broken framing is a malformed response', async () => {
    const { port } = await writesInParts(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'zz\r\nREADY\r\n'], 5);
    expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: false, reason: 'malformed HTTP response: Invalid character in chunk size' });
  });

  test('Content-Length: a body cut short by the endpoint is not complete', async () => {
    const { port } = await writesInParts(['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nbusy'], 5);
    expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: false, reason: 'connection closed by the endpoint while reading the body' });
  });

  test('no length (HTTP/1.0): the body runs until the close; the string is looked for across reads', async () => {
    const { port } = await writesInParts(['HTTP/1.0 200 OK\r\n\r\n', 'all RE', 'ADY'], 15);
    expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: true, reason: 'HTTP status 200, search string found' });
    const { port: port2 } = await writesInParts(['HTTP/1.0 200 OK\r\n\r\n', 'all ', 'busy'], 15);
    expect(await timedProbe(strMatch(port2, 'READY'))).toMatchObject({ healthy: false, reason: 'search string not found in the first 5120 bytes (the body has 8 bytes)' });
  });

  test('slowloris, chunked: chunk framing trickled a byte at a time hits the body deadline, counted from the status', async () => {
    let statusSentAt = 0;
    const { port } = await rawServer((s) => {
      s.once('data', () => {
        s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
        statusSentAt = performance.now();
        const framing = '1\r\na\r\n'.repeat(100);
        let i = 0;
        const timer = setInterval(() => (s.destroyed || i >= framing.length ? clearInterval(timer) : s.write(framing[i++])), 10);
        s.on('close', () => clearInterval(timer));
      });
    }, cleanup);
    const r = await timedProbe(strMatch(port, 'READY'));
    const end = performance.now();
    expect(r.healthy).toBe(false);
    expect(r.reason).toMatch(/^response timed out \(search string not found within 300 ms of the status; \d+ bytes received\)$/);
    expect(Number(/; (\d+) bytes/.exec(r.reason)![1])).toBeGreaterThan(0);
    expectWithin(end - statusSentAt, 300);
  });

  test('slowloris, head: a status line in time but headers that never end hit the status deadline', async () => {
    const { port } = await rawServer((s) => {
      s.once('data', () => {
        s.write('HTTP/1.1 200 OK\r\n');
        const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write('X-Slow: 1\r\n')), 20);
        s.on('close', () => clearInterval(timer));
      });
    }, cleanup);
    const r = await timedProbe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port, ...fast }));
    expect(r).toMatchObject({ healthy: false, reason: 'response timed out (no HTTP status within 300 ms of connecting)' });
    expectWithin(r.elapsed, 300);
  });

  test('a body deadline shorter than what is left of the status deadline is kept', async () => {
    // statusTimeout 3 s, bodyTimeout 0.3 s: the probe's one timer, set for the status, must move earlier.
    let statusSentAt = 0;
    const { port } = await rawServer((s) => {
      s.once('data', () => {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nnot yet');
        statusSentAt = performance.now();
      });
    }, cleanup);
    const r = await timedProbe(target({ type: 'HTTP_STR_MATCH', ipAddress: '127.0.0.1', port, searchString: 'READY', connectTimeout: 1, statusTimeout: 3, bodyTimeout: 0.3 }));
    expect(r).toMatchObject({ healthy: false, reason: 'response timed out (search string not found within 300 ms of the status; 7 bytes received)' });
    expectWithin(performance.now() - statusSentAt, 300);
  });

  test('HTTPS: every probe makes a full handshake (no session is resumed)', async () => {
    const { key, cert } = selfSignedCert();
    const reused: boolean[] = [];
    const { port } = await httpsServer({ key, cert }, (req, res) => {
      reused.push((req.socket as tls.TLSSocket).isSessionReused());
      res.end('ok');
    }, cleanup);
    for (let i = 0; i < 3; i++) expect(await timedProbe(target({ type: 'HTTPS', ipAddress: '127.0.0.1', port }))).toMatchObject({ healthy: true });
    expect(reused).toEqual([false, false, false]);
  });

  test('HTTPS: an endpoint that speaks only TLS 1.2 passes, and one that speaks only TLS 1.0 too', async () => {
    const { key, cert } = selfSignedCert();
    for (const version of ['TLSv1.2', 'TLSv1'] as const) {
      const { port } = await httpsServer({ key, cert, minVersion: version, maxVersion: version, ciphers: 'DEFAULT:@SECLEVEL=0' }, (req, res) => {
        res.end((req.socket as tls.TLSSocket).getProtocol() ?? '');
      }, cleanup);
      const r = await timedProbe(target({ type: 'HTTPS_STR_MATCH', ipAddress: '127.0.0.1', port, searchString: version }));
      expect([version, r]).toMatchObject([version, { healthy: true, reason: 'HTTP status 200, search string found' }]);
    }
  });

  test('a stop signal cancels every probe in flight at once; an aborted one connects nowhere', async () => {
    const open = new Set<net.Socket>();
    let connections = 0;
    const { port } = await rawServer((s) => {
      connections++;
      open.add(s);
      s.resume();
      s.on('close', () => open.delete(s));
    }, cleanup);
    const hanging = await neverAcceptingPort(cleanup);
    const abort = new AbortController();
    const resolver = new HostResolver();
    const probes = [
      ...Array.from({ length: 20 }, () => probe(target({ type: 'HTTP', ipAddress: '127.0.0.1', port, statusTimeout: 5 }), { resolver, signal: abort.signal })),
      ...Array.from({ length: 5 }, () => probe(target({ type: 'HTTPS', ipAddress: '127.0.0.1', port, statusTimeout: 5 }), { resolver, signal: abort.signal })),
      ...Array.from({ length: 5 }, () => probe(target({ type: 'TCP', ipAddress: '127.0.0.1', port: hanging, connectTimeout: 5 }), { resolver, signal: abort.signal })),
    ];
    await waitFor('25 connections', () => (connections >= 25 ? true : undefined), 2000, 5);
    const started = performance.now();
    abort.abort();
    const results = await Promise.all(probes);
    expect(performance.now() - started).toBeLessThan(50);
    expect(results.filter((r) => r.healthy || r.reason !== 'probe cancelled (checker stopping)')).toEqual([]);
    await sleep(50);
    expect(open.size).toBe(0);
    const before = connections;
    for (const type of ['HTTP', 'HTTPS', 'TCP'] as const) {
      expect(await probe(target({ type, ipAddress: '127.0.0.1', port }), { resolver, signal: abort.signal })).toMatchObject({ healthy: false, reason: 'probe cancelled (checker stopping)' });
    }
    await sleep(20);
    expect(connections).toBe(before);
  });
});

describe('the own HTTP/1.1 reader against real servers: framing, splits, limits, resets, TLS, IPv6 (issue 14)', () => {
  /**
   * A raw server (on `host`, plain or TLS) that writes `parts` one after the other, `gapMs` apart, after
   * the request arrives; Nagle off, so that every part leaves in a segment (a TLS record) of its own.
   * `then`: what it does after the last part ('close': FIN, 'reset': RST, 'hold': nothing).
   */
  async function server(parts: Array<string | Buffer>, options: { gapMs?: number; then?: 'close' | 'reset' | 'hold'; tls?: boolean; host?: string } = {}) {
    const { gapMs = 20, then = 'close', host = '127.0.0.1' } = options;
    let raw: net.Socket | undefined; // the TCP socket under a TLS one, for the reset
    const serve = (s: net.Socket) => {
      s.on('error', () => undefined);
      s.setNoDelay(true);
      s.once('data', () => {
        let i = 0;
        const next = () => {
          if (s.destroyed) return;
          if (i < parts.length) {
            s.write(parts[i++]);
            setTimeout(next, gapMs);
          } else if (then === 'close') {
            s.end();
          } else if (then === 'reset') {
            (raw ?? s).resetAndDestroy();
          }
        };
        next();
      });
    };
    const srv = options.tls === true ? tls.createServer(selfSignedCert(), serve) : net.createServer(serve);
    if (options.tls === true) {
      srv.on('connection', (s: net.Socket) => (raw = s));
      srv.on('tlsClientError', () => undefined);
    }
    return listen(srv, cleanup, host);
  }
  const check = (port: number, more: Partial<HealthCheckConfigModel> = {}) => target({ type: 'HTTP', ipAddress: '127.0.0.1', port, ...fastBody, ...more });
  const strMatch = (port: number, searchString: string, more: Partial<HealthCheckConfigModel> = {}) =>
    check(port, { type: 'HTTP_STR_MATCH', searchString, ...more });

  describe('body framing', () => {
    test('Content-Length: the body in the same segment as the head, and the body split over many segments', async () => {
      const same = await server(['HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nstate READY'], { then: 'hold' });
      expect(await timedProbe(strMatch(same, 'READY'))).toMatchObject({ healthy: true, reason: 'HTTP status 200, search string found' });
      const body = 'x'.repeat(3000) + 'READY';
      const parts = ['HTTP/1.1 200 OK\r\nContent-Length: 3005\r\n\r\nxx'];
      for (let i = 2; i < body.length; i += 700) parts.push(body.slice(i, i + 700));
      const split = await server(parts, { gapMs: 10, then: 'hold' });
      expect(await timedProbe(strMatch(split, 'READY'))).toMatchObject({ healthy: true, reason: 'HTTP status 200, search string found' });
    });

    test('Content-Length: bytes after the body are not body (a string there is not found)', async () => {
      const port = await server(['HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbusy', 'READY'], { then: 'hold' });
      expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: false, reason: 'search string not found in the first 5120 bytes (the body has 4 bytes)' });
    });

    test('HTTP/1.1 without Content-Length or Transfer-Encoding: the body runs until the endpoint closes', async () => {
      const found = await server(['HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n', 'state: ', 'READY']);
      expect(await timedProbe(strMatch(found, 'READY'))).toMatchObject({ healthy: true, reason: 'HTTP status 200, search string found' });
      const ended = await server(['HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n', 'state: ', 'busy']);
      expect(await timedProbe(strMatch(ended, 'READY'))).toMatchObject({ healthy: false, reason: 'search string not found in the first 5120 bytes (the body has 11 bytes)' });
      // Without the close, the end of such a body is never known: the body deadline decides.
      const held = await server(['HTTP/1.1 200 OK\r\n\r\n', 'busy'], { then: 'hold' });
      expect(await timedProbe(strMatch(held, 'READY'))).toMatchObject({
        healthy: false, reason: 'response timed out (search string not found within 300 ms of the status; 4 bytes received)',
      });
    });

    test('a Transfer-Encoding other than chunked is read until the close', async () => {
      const port = await server(['HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\n', 'all READY']);
      expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: true });
    });

    test('chunked: every chunk in a segment of its own, the search string in the middle one, chunk sizes in both cases', async () => {
      const port = await server(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', '3\r\nabc\r\n', 'A\r\n  READY   \r\n', 'a\r\n0123456789\r\n', '0\r\n\r\n']);
      expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: true, reason: 'HTTP status 200, search string found' });
    });

    test('chunked: a chunk-size line split across segments (digits, CR | LF)', async () => {
      const port = await server(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1', '0\r', '\n0123456789READY!\r\n0\r\n\r\n']);
      expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: true });
    });

    test('the 5,120-byte window over a body that arrives in segments: ending at 5,120 passes, 5,121 fails', async () => {
      for (const [before, healthy] of [[SEARCH_WINDOW_BYTES - 5, true], [SEARCH_WINDOW_BYTES - 4, false]] as const) {
        const body = 'a'.repeat(before) + 'READY' + 'b'.repeat(200);
        const parts: string[] = [`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`];
        for (let i = 0; i < body.length; i += 1000) parts.push(body.slice(i, i + 1000));
        const port = await server(parts, { gapMs: 5, then: 'hold' });
        const r = await timedProbe(strMatch(port, 'READY'));
        expect([before, r]).toMatchObject([before, healthy
          ? { healthy: true, reason: 'HTTP status 200, search string found' }
          : { healthy: false, reason: 'search string not found in the first 5120 bytes' }]);
      }
    });

    test('the window is the body\'s: a search string in the headers is not found', async () => {
      const port = await server(['HTTP/1.1 200 OK\r\nX-State: READY\r\nContent-Length: 4\r\n\r\nbusy']);
      expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: false, reason: 'search string not found in the first 5120 bytes (the body has 4 bytes)' });
    });
  });

  describe('HTTP/1.0', () => {
    test('a HTTP/1.0 status is a status: 200 passes, 503 fails, with and without Content-Length', async () => {
      const ok = await server(['HTTP/1.0 200 OK\r\n\r\n']);
      expect(await timedProbe(check(ok))).toMatchObject({ healthy: true, reason: 'HTTP status 200' });
      const down = await server(['HTTP/1.0 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown']);
      expect(await timedProbe(check(down))).toMatchObject({ healthy: false, reason: 'HTTP status 503' });
      const length = await server(['HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\n', 'all READY'], { then: 'hold' });
      expect(await timedProbe(strMatch(length, 'READY'))).toMatchObject({ healthy: true, reason: 'HTTP status 200, search string found' });
    });
  });

  describe('status lines and heads split across reads', () => {
    test.each([
      ['the status line\'s CR and LF', ['HTTP/1.1 200 OK\r', '\nContent-Length: 0\r\n\r\n']],
      ['a header\'s CR and LF', ['HTTP/1.1 200 OK\r\nContent-Length: 0\r', '\n\r\n']],
      ['the blank line\'s CR and LF', ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r', '\n']],
      ['a header name, and its value', ['HTTP/1.1 200 OK\r\nConte', 'nt-Length: ', '0\r\nX-A', ': b\r\n\r\n']],
      ['every byte', [...'HTTP/1.1 200 OK\r\nX-A: b\r\nContent-Length: 0\r\n\r\n']],
    ])('split at %s: read whole', async (_name, parts) => {
      const port = await server(parts, { gapMs: parts.length > 10 ? 3 : 20, then: 'hold' });
      expect(await timedProbe(check(port, { statusTimeout: 2 }))).toMatchObject({ healthy: true, reason: 'HTTP status 200' });
    });

    test('a bare LF split away from its line is still malformed', async () => {
      const port = await server(['HTTP/1.1 200 OK\r\nX-A: b', '\n\r\n']);
      expect(await timedProbe(check(port))).toMatchObject({ healthy: false, reason: 'malformed HTTP response: Missing expected CR after header value' });
    });

    test.each([
      ['HTTP/2 (not HTTP/1)', ['HTTP/2.0 200 OK\r\n\r\n'], 'Invalid HTTP version'],
      ['a two-digit status', ['HTTP/1.1 20 OK\r\n\r\n'], 'Invalid status code'],
      ['a four-digit status', ['HTTP/1.1 2000 OK\r\n\r\n'], 'Invalid response status'],
      ['no space after the version', ['HTTP/1.1200 OK\r\n\r\n'], 'Expected space after version'],
      ['a lower-case protocol', ['http/1.1 200 OK\r\n\r\n'], 'Expected HTTP/'],
      ['an SSH server on the port', ['SSH-2.0-OpenSSH_9.6\r\n'], 'Expected HTTP/'],
      ['a status line split before its wrong byte', ['HTTP/1.', '1 2x0 OK\r\n\r\n'], 'Invalid status code'],
    ])('a malformed status line (%s) fails the probe', async (_name, parts, detail) => {
      const port = await server(parts, { then: 'hold' });
      const r = await timedProbe(check(port));
      expect(r).toMatchObject({ healthy: false, reason: `malformed HTTP response: ${detail}` });
      expect(r.elapsed).toBeLessThan(250); // at once, not at the status deadline
    });

    test('an endpoint that answers garbage without a line end fails at its first wrong byte, not at the deadline', async () => {
      const port = await server(['\x16\x03\x01\x00'], { then: 'hold' }); // a TLS record header to a plain HTTP check
      const r = await timedProbe(check(port));
      expect(r).toMatchObject({ healthy: false, reason: 'malformed HTTP response: Expected HTTP/' });
      expect(r.elapsed).toBeLessThan(250);
    });
  });

  describe('the 16 KiB head limit over the socket', () => {
    const fixed = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'.length;
    /** A head of exactly `total` bytes: 100-byte headers, the rest in the last one; sent in 1,000-byte segments. */
    function head(total: number): string[] {
      let headers = '';
      const line = (n: number) => `X-${String(headers.length).padStart(6, '0')}: ${'v'.repeat(n - 12)}\r\n`;
      while (fixed + headers.length + 100 + 112 <= total) headers += line(100);
      headers += line(total - fixed - headers.length);
      const text = `HTTP/1.1 200 OK\r\n${headers}Content-Length: 0\r\n\r\n`;
      expect(text.length).toBe(total);
      const parts: string[] = [];
      for (let i = 0; i < text.length; i += 1000) parts.push(text.slice(i, i + 1000));
      return parts;
    }

    test('many headers arriving in segments: 16,384 bytes pass, 16,385 are a malformed response', async () => {
      const at = await server(head(16_384), { gapMs: 3, then: 'hold' });
      expect(await timedProbe(check(at, { statusTimeout: 2 }))).toMatchObject({ healthy: true, reason: 'HTTP status 200' });
      const over = await server(head(16_385), { gapMs: 3, then: 'hold' });
      expect(await timedProbe(check(over, { statusTimeout: 2 }))).toMatchObject({ healthy: false, reason: 'malformed HTTP response: headers larger than the limit' });
    });

    test('a head that never ends is refused once past the limit, before the status deadline', async () => {
      const parts = ['HTTP/1.1 200 OK\r\n', ...Array.from({ length: 40 }, () => `X-More: ${'m'.repeat(990)}\r\n`)];
      const port = await server(parts, { gapMs: 2, then: 'hold' });
      const r = await timedProbe(check(port, { statusTimeout: 2 }));
      expect(r).toMatchObject({ healthy: false, reason: 'malformed HTTP response: headers larger than the limit' });
      expect(r.elapsed).toBeLessThan(1000);
    });
  });

  describe('redirects, as Route 53 counts them (2xx and 3xx succeed, a redirect is not followed)', () => {
    test.each([300, 301, 302, 303, 307, 308])('%i with a Location elsewhere is a success, read as it is', async (status) => {
      const port = await server([`HTTP/1.1 ${status} Moved\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n`]);
      expect(await timedProbe(check(port))).toMatchObject({ healthy: true, reason: `HTTP status ${status}` });
    });

    test('*_STR_MATCH: the search string is looked for in the 3xx response\'s own body', async () => {
      const found = await server(['HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 15\r\n\r\nmoved, READY ok']);
      expect(await timedProbe(strMatch(found, 'READY'))).toMatchObject({ healthy: true, reason: 'HTTP status 302, search string found' });
      const missing = await server(['HTTP/1.1 302 Found\r\nLocation: /READY\r\nContent-Length: 5\r\n\r\nmoved']);
      expect(await timedProbe(strMatch(missing, 'READY'))).toMatchObject({ healthy: false, reason: 'search string not found in the first 5120 bytes (the body has 5 bytes)' });
    });

    test('304 has no body: with a search string it fails at once, whatever its headers say', async () => {
      const port = await server(['HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n'], { then: 'hold' });
      const r = await timedProbe(strMatch(port, 'READY'));
      expect(r).toMatchObject({ healthy: false, reason: 'search string not found in the first 5120 bytes (the body has 0 bytes)' });
      expect(r.elapsed).toBeLessThan(250);
    });
  });

  describe('slow bodies against the body deadline', () => {
    test('a string that arrives before the body deadline passes; the same one after it fails', async () => {
      const early = await server(['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nwait', ' READY'], { gapMs: 150, then: 'hold' });
      const r = await timedProbe(strMatch(early, 'READY'));
      expect(r).toMatchObject({ healthy: true, reason: 'HTTP status 200, search string found' });
      expect(r.latencyMs!).toBeGreaterThanOrEqual(140);
      const late = await server(['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nwait', ' READY'], { gapMs: 450, then: 'hold' });
      expect(await timedProbe(strMatch(late, 'READY'))).toMatchObject({
        healthy: false, reason: 'response timed out (search string not found within 300 ms of the status; 4 bytes received)',
      });
    });

    test('a chunked body whose chunks come slowly: the deadline counts from the status, not from the last chunk', async () => {
      const chunks = Array.from({ length: 20 }, () => '1\r\nx\r\n');
      const port = await server(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', ...chunks], { gapMs: 40, then: 'hold' });
      const r = await timedProbe(strMatch(port, 'READY'));
      expect(r.healthy).toBe(false);
      expect(r.reason).toMatch(/^response timed out \(search string not found within 300 ms of the status; \d+ bytes received\)$/);
      expect(Number(/; (\d+) bytes/.exec(r.reason)![1])).toBeGreaterThanOrEqual(3);
      expect(Number(/; (\d+) bytes/.exec(r.reason)![1])).toBeLessThan(20);
    });
  });

  describe('connection reset', () => {
    test('in the middle of a Content-Length body', async () => {
      const port = await server(['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc'], { then: 'reset' });
      expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: false, reason: 'connection reset while reading the body' });
    });

    test('in the middle of a chunk', async () => {
      const port = await server(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', '10\r\nabc'], { then: 'reset' });
      expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: false, reason: 'connection reset while reading the body' });
    });

    test('in the middle of a body read until the close: a reset is not the end of the body', async () => {
      const port = await server(['HTTP/1.1 200 OK\r\n\r\nabc'], { then: 'reset' });
      expect(await timedProbe(strMatch(port, 'READY'))).toMatchObject({ healthy: false, reason: 'connection reset while reading the body' });
    });

    test('in the middle of the head', async () => {
      const port = await server(['HTTP/1.1 200 OK\r\nContent-Le'], { then: 'reset' });
      expect(await timedProbe(check(port))).toMatchObject({ healthy: false, reason: 'connection reset before the status' });
    });

    test('after the status of a check without a search string: the outcome was already known', async () => {
      const port = await server(['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc'], { then: 'reset' });
      expect(await timedProbe(check(port))).toMatchObject({ healthy: true, reason: 'HTTP status 200' });
    });

    test('HTTPS: in the middle of the body (the TCP connection under TLS reset)', async () => {
      const port = await server(['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc'], { tls: true, then: 'reset' });
      expect(await timedProbe(strMatch(port, 'READY', { type: 'HTTPS_STR_MATCH' }))).toMatchObject({ healthy: false, reason: 'connection reset while reading the body' });
    });
  });

  describe('TLS', () => {
    test('a chunked body over TLS, a record per part, the string split across records', async () => {
      const port = await server(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'B\r\nstate: RE', 'AD\r\n', '2\r\nY!\r\n0\r\n\r\n'], { tls: true });
      expect(await timedProbe(strMatch(port, 'READY', { type: 'HTTPS_STR_MATCH' }))).toMatchObject({ healthy: true, reason: 'HTTP status 200, search string found' });
    });

    test('a head split across TLS records, CR | LF included', async () => {
      const port = await server(['HTTP/1.1 2', '00 OK\r', '\nContent-Length: 0\r\n\r', '\n'], { tls: true, then: 'hold' });
      expect(await timedProbe(check(port, { type: 'HTTPS', statusTimeout: 2 }))).toMatchObject({ healthy: true, reason: 'HTTP status 200' });
    });

    test('with enableSni the FQDN goes in the ClientHello and the Host header; without, neither SNI nor a name check', async () => {
      const { key, cert } = selfSignedCert();
      const seen: Array<{ sni: string | false; host: string }> = [];
      const { port } = await httpsServer({ key, cert }, (req, res) => {
        seen.push({ sni: (req.socket as tls.TLSSocket).servername ?? false, host: req.headers.host! });
        res.end('READY');
      }, cleanup);
      const base = { type: 'HTTPS_STR_MATCH' as const, ipAddress: '127.0.0.1', port, searchString: 'READY', fullyQualifiedDomainName: 'gw.example.com' };
      expect(await timedProbe(target({ ...base, enableSni: true }))).toMatchObject({ healthy: true });
      expect(await timedProbe(target({ ...base, enableSni: false }))).toMatchObject({ healthy: true });
      expect(seen).toEqual([{ sni: 'gw.example.com', host: `gw.example.com:${port}` }, { sni: false, host: `gw.example.com:${port}` }]);
    });
  });

  describe('IPv6', () => {
    test('HTTP, HTTPS and TCP to an IPv6 address: connected over IPv6, Host [addr]:port', async () => {
      const hosts: string[] = [];
      const families: string[] = [];
      const plain = http.createServer((req, res) => {
        hosts.push(req.headers.host!);
        families.push(req.socket.remoteFamily!);
        res.end('READY');
      });
      const port = await listen(plain, cleanup, '::1');
      expect(await timedProbe(target({ type: 'HTTP_STR_MATCH', ipAddress: '::1', port, searchString: 'READY' }))).toMatchObject({
        healthy: true, reason: 'HTTP status 200, search string found', address: '::1',
      });
      expect(await timedProbe(target({ type: 'TCP', ipAddress: '::1', port }))).toMatchObject({ healthy: true, address: '::1' });
      const secure = https.createServer(selfSignedCert(), (req, res) => {
        hosts.push(req.headers.host!);
        families.push(req.socket.remoteFamily!);
        res.end();
      });
      const tlsPort = await listen(secure, cleanup, '::1');
      expect(await timedProbe(target({ type: 'HTTPS', ipAddress: '::1', port: tlsPort }))).toMatchObject({ healthy: true, address: '::1' });
      expect(hosts).toEqual([`[::1]:${port}`, `[::1]:${tlsPort}`]);
      expect(families).toEqual(['IPv6', 'IPv6']);
    });

    test('an IPv6 endpoint that is down: refused over IPv6, not tried over IPv4', async () => {
      const v4 = await server(['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n']); // on 127.0.0.1 only
      expect(await timedProbe(target({ type: 'HTTP', ipAddress: '::1', port: v4, ...fast }))).toMatchObject({ healthy: false, reason: 'connection refused', address: '::1' });
    });
  });
});

describe('name resolution', () => {
  test('a name without an address fails with "DNS resolution failed"', async () => {
    const r = await timedProbe(target({ type: 'HTTP', fullyQualifiedDomainName: 'missing.example.test' }), new HostResolver(fakeLookup({}), 300));
    expect(r).toMatchObject({ healthy: false, reason: 'DNS resolution failed: no IPv4 address for missing.example.test (ENOTFOUND)' });
    expect(r.latencyMs).toBeUndefined();
  });

  test('a hanging lookup fails at the lookup deadline, and concurrent probes share one lookup', async () => {
    let release: (v: string) => void = () => undefined;
    const hanging = new Promise<string>((resolve) => (release = resolve));
    const lookup = fakeLookup({ 'slow.example.test': () => hanging });
    const resolver = new HostResolver(lookup, 300);
    const t = target({ type: 'HTTP', fullyQualifiedDomainName: 'slow.example.test', ...fast });
    const started = performance.now();
    const [a, b] = await Promise.all([probe(t, { resolver }), probe(t, { resolver })]);
    expectWithin(performance.now() - started, 300);
    expect(a).toMatchObject({ healthy: false, reason: 'DNS resolution failed: lookup of slow.example.test timed out after 300 ms' });
    expect(b.reason).toBe(a.reason);
    expect(lookup.calls).toEqual(['slow.example.test']);
    expect(resolver.inFlight).toBe(1);
    release('127.0.0.1');
    await sleep(10);
    expect(resolver.inFlight).toBe(0);
  });

  test('the name is resolved again at every probe', async () => {
    const { port } = await httpServer((_req, res) => res.end(), cleanup);
    const answers = ['127.0.0.1', '127.0.0.2'];
    const lookup = fakeLookup({ 'moving.example.test': async () => answers.shift()! });
    const resolver = new HostResolver(lookup, 300);
    const t = target({ type: 'HTTP', fullyQualifiedDomainName: 'moving.example.test', port, ...fast });
    expect(await timedProbe(t, resolver)).toMatchObject({ healthy: true, address: '127.0.0.1' });
    // The server listens on 127.0.0.1 only: the new address refuses.
    expect(await timedProbe(t, resolver)).toMatchObject({ healthy: false, reason: 'connection refused', address: '127.0.0.2' });
    expect(lookup.calls).toHaveLength(2);
  });

  test('the system lookup returns IPv4 only', async () => {
    expect(net.isIPv4(await systemLookupIPv4('localhost'))).toBe(true);
  });

  test('the default lookup asks the DNS (c-ares) with its own timeout: an address, no record, no answer', async () => {
    // Our own DNS server on loopback: www.example.com has two A records (the first is used).
    const dns = await DnsNode.start({ config: sampleConfig(), dns: { host: '127.0.0.1', port: 0 } });
    cleanup.add(() => dns.stop());
    const lookup = dnsLookupIPv4({ servers: [`127.0.0.1:${dns.dnsAddress.port}`], timeoutMs: 400 });
    expect(await lookup('www.example.com')).toBe('192.0.2.80');
    const resolver = new HostResolver(lookup, 400);
    expect(await resolver.resolve('nope.example.com')).toEqual({ ok: false, reason: 'DNS resolution failed: no IPv4 address for nope.example.com (ENOTFOUND)' });
    // A server that never answers: c-ares gives up by itself, within the deadline.
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
    cleanup.add(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    const dead = new HostResolver(dnsLookupIPv4({ servers: [`127.0.0.1:${(silent.address() as net.AddressInfo).port}`], timeoutMs: 400 }), 400);
    const started = performance.now();
    const r = await dead.resolve('www.example.com');
    expect(r.ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
    dead.close();
    expect(() => dnsLookupIPv4({ servers: ['not an address'] })).toThrow(/DNS servers not an address are not usable: .*; give addresses such as 127.0.0.1 or 127.0.0.1:5353/);
  });
  test('c-ares over IPv6: a DNS server at [::1]:port is asked; a name with only an AAAA record fails (IPv4 only, as Route 53)', async () => {
    const dns = await DnsNode.start({ config: sampleConfig(), dns: { host: '::1', port: 0 } });
    cleanup.add(() => dns.stop());
    const lookup = dnsLookupIPv4({ servers: [`[::1]:${dns.dnsAddress.port}`], timeoutMs: 400 });
    expect(lookup.servers).toEqual([`[::1]:${dns.dnsAddress.port}`]);
    const resolver = new HostResolver(lookup, 400);
    expect(await resolver.resolve('www.example.com')).toEqual({ ok: true, address: '192.0.2.80' });
    // ns2.example.com has an AAAA record and no A record.
    expect(await resolver.resolve('ns2.example.com')).toEqual({ ok: false, reason: 'DNS resolution failed: no IPv4 address for ns2.example.com (ENODATA)' });
    // Through the probe: the name resolves with c-ares, then the endpoint is probed at that address.
    const { port } = await httpServer((_req, res) => res.end(), cleanup);
    const local = await DnsNode.start({
      config: { ...sampleConfig(), zones: [{ ...sampleConfig().zones[0], records: [{ name: 'gw.example.com', recordType: 'A', ttl: 60, values: ['127.0.0.1'] }] }] },
      dns: { host: '::1', port: 0 },
    });
    cleanup.add(() => local.stop());
    const viaV6 = new HostResolver(dnsLookupIPv4({ servers: [`[::1]:${local.dnsAddress.port}`], timeoutMs: 400 }), 400);
    expect(await timedProbe(target({ type: 'HTTP', fullyQualifiedDomainName: 'gw.example.com', port }), viaV6)).toMatchObject({ healthy: true, address: '127.0.0.1' });
  });
});

describe('targets from the model', () => {
  test('fails with the field, the value and the fix', () => {
    expect(() => probeTargetOf({ id: 'a', config: { type: 'HTTP' } })).toThrow("health check 'a' has neither ipAddress nor fullyQualifiedDomainName; set one of them");
    expect(() => probeTargetOf({ id: 'a', config: { type: 'TCP', ipAddress: '127.0.0.1' } })).toThrow("health check 'a' is a TCP check without a port; set port (1..65535)");
    expect(() => probeTargetOf({ id: 'a', config: { type: 'HTTP', ipAddress: 'nope' } })).toThrow("ipAddress 'nope' is not an IPv4 or IPv6 address");
    expect(() => probeTargetOf({ id: 'a', config: { type: 'HTTP_STR_MATCH', ipAddress: '127.0.0.1' } })).toThrow('without a searchString');
    expect(() => probeTargetOf({ id: 'a', config: { type: 'HTTP', ipAddress: '127.0.0.1', requestInterval: 0.05 } })).toThrow('requestInterval 0.05 s is too short for a checker; give 0.1 s (100 ms) or more');
    expect(() => probeTargetOf({ id: 'a', config: { type: 'HTTP', ipAddress: '127.0.0.1', statusTimeout: 0.01 } })).toThrow('statusTimeout 0.01 s is not a duration the checker can use');
    expect(() => probeTargetOf({ id: 'a', config: { type: 'CALCULATED', childHealthChecks: [] } })).toThrow('type CALCULATED, which no checker probes');
  });

  test('defaults: port by type, path /, interval 30 s, threshold 3, SNI on for HTTPS with an FQDN', () => {
    expect(probeTargetOf({ id: 'a', config: { type: 'HTTPS', fullyQualifiedDomainName: 'a.example.com' } })).toMatchObject({
      protocol: 'HTTPS', port: 443, path: '/', intervalMs: 30_000, failureThreshold: 3, servername: 'a.example.com', hostHeader: 'a.example.com',
    });
    expect(probeTargetOf({ id: 'a', config: { type: 'HTTP', ipAddress: '127.0.0.1', requestInterval: 0.1 } })).toMatchObject({ port: 80, intervalMs: 100 });
  });
});
