/**
 * Clients for the verifier and the simulation: the engine's client areas (`clientAreas`) for the
 * gateways of an artifact. The verifier picks one client per place a routing tree distinguishes (each
 * location, region and CIDR location, and everyone else); `--from` names others.
 */
import { Gateway } from './gateways';
import { ClientSpec, clientAreas } from '../engine';
import { FailoverModel } from '../model';

export type { ClientSpec } from '../engine';
export {
  addressClient,
  continentClient,
  countryClient,
  ELSEWHERE,
  engineClient,
  parseClientSpec,
  regionClient,
  regionOrderClient,
} from '../engine';

/** The gateways a gateway reaches through its aliases (itself included). */
export function reachable(g: Gateway, gateways: readonly Gateway[]): Gateway[] {
  const out: Gateway[] = [];
  const visit = (x: Gateway) => {
    if (out.includes(x)) return;
    out.push(x);
    for (const m of x.members) {
      const t = m.target !== undefined ? gateways.find((y) => y.key === m.target) : undefined;
      if (t) visit(t);
    }
  };
  visit(g);
  return out;
}

/** The latency regions a gateway's tree routes between. */
export function treeRegions(g: Gateway, gateways: readonly Gateway[]): string[] {
  return [...new Set(reachable(g, gateways).flatMap((x) => x.members.map((m) => m.record.region)).filter((r): r is string => r !== undefined))];
}

/**
 * One client per place a gateway's tree tells apart (`clientAreas` of the records it reaches); a single
 * "any client" when nothing below the gateway depends on the client. `ownRegions` places a bundle's
 * own latency regions (AWS regions are known).
 */
export function representativeClients(
  g: Gateway,
  gateways: readonly Gateway[],
  model: FailoverModel,
  ownRegions: Readonly<Record<string, readonly [number, number]>> = {},
): ClientSpec[] {
  if (!g.clientDependent) return [{ label: 'any client' }];
  return clientAreas(reachable(g, gateways).flatMap((x) => x.members.map((m) => m.record)), model.cidrCollections, ownRegions);
}
