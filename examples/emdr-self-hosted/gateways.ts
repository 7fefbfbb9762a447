/**
 * The demo's two EMDR gateways: stand-in endpoints (the drill's, `lib/verify/drill/stand-in.ts`) on
 * two loopback addresses that answer `GET /status` with 200 and can be killed (connections refused,
 * as when a machine or its ISP goes away) and brought back.
 */
import { StandInEndpoint } from '../../lib/verify/drill/stand-in';

/** One gateway of the demo. */
export type LocalGateway = StandInEndpoint;

/**
 * Two gateways on two loopback addresses and one port (the health checks of a gateway share their
 * port): a free port is picked on the first address and taken on the second, retrying if it is busy there.
 */
export async function startGatewayPair(hostA = '127.0.0.11', hostB = '127.0.0.12'): Promise<[LocalGateway, LocalGateway]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const a = new StandInEndpoint({ host: hostA, name: 'gw-isp-a', path: '/status' });
    await a.start();
    const b = new StandInEndpoint({ host: hostB, port: a.port, name: 'gw-isp-b', path: '/status' });
    try {
      await b.start();
      return [a, b];
    } catch (e) {
      await a.stop();
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
  throw new Error(`no port was free on both ${hostA} and ${hostB} after 20 attempts; free some ports and try again`);
}

/**
 * Gateways on several loopback addresses and one port (the health checks of a gateway share their
 * port), named: a free port is picked on the first address and taken on the others, retrying if busy.
 */
export async function startGateways(gateways: ReadonlyArray<{ readonly host: string; readonly name: string }>): Promise<LocalGateway[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = new StandInEndpoint({ host: gateways[0].host, name: gateways[0].name, path: '/status' });
    await first.start();
    const started: LocalGateway[] = [first];
    try {
      for (const g of gateways.slice(1)) {
        const s = new StandInEndpoint({ host: g.host, port: first.port, name: g.name, path: '/status' });
        await s.start();
        started.push(s);
      }
      return started;
    } catch (e) {
      await Promise.all(started.map((s) => s.stop()));
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
  throw new Error(`no port was free on all of ${gateways.map((g) => g.host).join(', ')} after 20 attempts; free some ports and try again`);
}
