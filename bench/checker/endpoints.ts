/**
 * The benchmark's endpoints: K minimal HTTP/1.1 servers on 127.0.0.1 (ephemeral ports) answering
 * every request with `200 ok` and closing the connection, in their own process so they do not share
 * the checker's event loop. They write a fixed response from raw sockets (no node:http parsing), so
 * that on a small machine the endpoints cost as little CPU as possible: the checker is what is measured.
 *
 *   node -r ts-node/register/transpile-only bench/checker/endpoints.ts <K>
 *
 * Prints one JSON line with the ports, then serves until SIGTERM.
 */
import { AddressInfo, createServer, Server } from 'net';

const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? '20');
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      // The whole request arrives in one segment on loopback; answer on its first bytes.
      socket.once('data', () => socket.end(RESPONSE));
    });
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => resolve()));
    servers.push(server);
    ports.push((server.address() as AddressInfo).port);
  }
  process.stdout.write(JSON.stringify({ event: 'listening', ports, pid: process.pid }) + '\n');
  const stop = () => {
    for (const s of servers) s.close();
    setTimeout(() => process.exit(0), 100).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
