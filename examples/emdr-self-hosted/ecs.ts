/**
 * A DNS query as a resolver sends it for a client: over UDP, with the EDNS Client Subnet option
 * (RFC 7871) naming the client's network (`dig +subnet=193.0.0.0/24` does the same). Node's own
 * resolver cannot send the option, so the demo builds the message with the DNS node's wire codec.
 */
import * as dgram from 'dgram';
import { decodeMessage, encodeMessage, optRecord, RRType } from '../../lib/dns';

export interface SubnetAnswer {
  /** The A records' addresses. */
  readonly addresses: readonly string[];
  /** The SCOPE PREFIX-LENGTH the server echoed: the length of the network its answer holds for. */
  readonly scope?: number;
}

/** The ECS option for an IPv4 subnet such as `193.0.0.0/24`: FAMILY 1, SOURCE, SCOPE 0, the address truncated. */
function clientSubnetOption(subnet: string): { code: number; data: Buffer } {
  const [address, length] = subnet.split('/');
  const source = Number(length);
  const octets = Buffer.from(address.split('.').map(Number)).subarray(0, Math.ceil(source / 8));
  return { code: 8, data: Buffer.concat([Buffer.from([0, 1, source, 0]), octets]) };
}

let nextId = 1;

/** Asks `server` (`host:port`) for the A records of `name` on behalf of clients in `subnet`. */
export function askFor(server: string, name: string, subnet: string, timeoutMs = 1000): Promise<SubnetAnswer> {
  const [host, port] = [server.slice(0, server.lastIndexOf(':')), Number(server.slice(server.lastIndexOf(':') + 1))];
  const id = nextId++ & 0xffff;
  const query = encodeMessage({
    id,
    flags: 0x0100,
    questions: [{ name, type: RRType.A, klass: 1 }],
    answers: [],
    authorities: [],
    additionals: [optRecord({ udpPayloadSize: 1232, ednsOptions: [clientSubnetOption(subnet)] })],
  });
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no answer from ${server} for ${name} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('message', (msg) => {
      const m = decodeMessage(msg);
      if (m.id !== id) return;
      clearTimeout(timer);
      socket.close();
      const opt = m.additionals.find((r) => r.type === RRType.OPT);
      const ecs = opt && opt.data.kind === 'OPT' ? opt.data.options.find((o) => o.code === 8) : undefined;
      resolve({
        addresses: m.answers.filter((r) => r.data.kind === 'A').map((r) => (r.data as { address: string }).address),
        ...(ecs ? { scope: ecs.data[3] } : {}),
      });
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      socket.close();
      reject(e);
    });
    socket.send(query, port, host);
  });
}
