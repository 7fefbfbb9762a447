/**
 * A fleet of N gateways in one SelfHostedStack, synthesized to a bundle: what bench/zones/run.sh
 * serves and bench/zones/synth.sh times. Each gateway is the EMDR gateway of the examples: a weighted
 * group of two endpoints at 50/50, each guarded by its own HTTP health check (so N gateways are N
 * names, 2N record sets and 2N health checks), all in the zone `example.com`.
 *
 *   node fleet.js <gateways> <outdir>
 *
 * Prints one JSON line: the gateways, and the milliseconds spent building the constructs (`build`)
 * and synthesizing the bundle (`synth`: validation, bundle config, its check, every file written),
 * as elapsed time (`...Ms`) and as the process's CPU time (`...CpuMs`: user + system, all threads,
 * the garbage collector's included; steadier than elapsed time on a shared machine). The library is
 * loaded before the clocks start.
 */
import { performance } from 'perf_hooks';
import { Duration } from 'aws-cdk-lib';
import { GatewayZone, SelfHostedApp, SelfHostedStack, WeightedFailoverGateway } from '../../lib';

/** The two addresses of gateway `i`: private, distinct for up to 4 million gateways. */
export function gatewayAddresses(i: number): [string, string] {
  const at = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  return [at(2 * i + 1), at(2 * i + 2)];
}

/** The record name of gateway `i`. */
export const gatewayName = (i: number) => `gw-${i}.example.com`;

function main(): void {
  const [count, outdir] = process.argv.slice(2);
  const n = Number(count);
  if (!Number.isInteger(n) || n < 1 || !outdir) {
    process.stderr.write('usage: node fleet.js <gateways> <outdir>\n');
    process.exit(2);
  }
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const app = new SelfHostedApp({ outdir });
  const stack = new SelfHostedStack(app, 'fleet', { zones: [{ zoneName: 'example.com' }] });
  const zone = GatewayZone.fromZoneName('example.com');
  for (let i = 0; i < n; i++) {
    const [a, b] = gatewayAddresses(i);
    new WeightedFailoverGateway(stack, `Gw${i}`, {
      zone,
      recordName: gatewayName(i),
      ttl: Duration.seconds(60),
      healthCheck: { resourcePath: '/status', requestInterval: Duration.seconds(10), failureThreshold: 3 },
      endpoints: [
        { name: 'a', ipAddress: a, weight: 50 },
        { name: 'b', ipAddress: b, weight: 50 },
      ],
    });
  }
  const t1 = performance.now();
  const c1 = process.cpuUsage(c0);
  app.synth();
  const t2 = performance.now();
  const c2 = process.cpuUsage(c0);
  const ms = (c: NodeJS.CpuUsage) => Math.round((c.user + c.system) / 1000);
  process.stdout.write(JSON.stringify({
    gateways: n,
    buildMs: Math.round(t1 - t0),
    synthMs: Math.round(t2 - t1),
    totalMs: Math.round(t2 - t0),
    buildCpuMs: ms(c1),
    synthCpuMs: ms(c2) - ms(c1),
    totalCpuMs: ms(c2),
  }) + '\n');
}

if (require.main === module) main();
