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
