/**
 * The benchmark's endpoints: K minimal HTTP/1.1 servers and K minimal HTTPS servers on 127.0.0.1
 * (ephemeral ports) answering every request with `200 ok` and closing the connection, in their own
 * process so they do not share the checker's event loop. They write a fixed response from raw
 * sockets (no node:http parsing), so that on a small machine the endpoints cost as little CPU as
 * possible: the checker is what is measured.
 *
 * The HTTPS servers use a self-signed ECDSA P-256 certificate made with openssl at start (in a
 * temporary directory, removed at once); TLS 1.3 is negotiated (both ends' defaults).
 *
 *   node -r ts-node/register/transpile-only bench/checker/endpoints.ts <K> [--no-tls]
 *
 * Prints one JSON line with the ports (`ports`, `tlsPorts`), then serves until SIGTERM.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { AddressInfo, createServer, Server, Socket } from 'net';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';

const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');

function selfSignedCert(): { key: Buffer; cert: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-checker-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost',
    ], { stdio: 'ignore' });
    return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function answer(socket: Socket): void {
  socket.on('error', () => undefined);
  // The whole request arrives in one segment on loopback; answer on its first bytes.
  socket.once('data', () => socket.end(RESPONSE));
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => resolve()));
  return (server.address() as AddressInfo).port;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? '20');
  const withTls = !process.argv.includes('--no-tls');
  const servers: Server[] = [];
  const ports: number[] = [];
  const tlsPorts: number[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer(answer);
    servers.push(server);
    ports.push(await listen(server));
  }
  if (withTls) {
    const credentials = selfSignedCert();
    for (let i = 0; i < count; i++) {
      const server = tls.createServer(credentials, answer);
      server.on('tlsClientError', () => undefined);
      servers.push(server);
      tlsPorts.push(await listen(server));
    }
  }
  process.stdout.write(JSON.stringify({ event: 'listening', ports, tlsPorts, pid: process.pid }) + '\n');
  const stop = () => {
    for (const s of servers) s.close();
    setTimeout(() => process.exit(0), 100).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
