/**
 * IP-based routing (ROUTE53.md §2 "IP-based", DG-ip, API CidrRoutingConfig):
 * - "A block matches when it is no longer than the client's prefix and their leading bits agree; the
 *   longest matching block wins; no match: the `*` record; no `*`: NODATA."
 * - "Unhealthy: as geolocation (the enclosing shorter match, then `*`; all applicable unhealthy: the
 *   matched record)."
 *
 * The collection's blocks are kept in a `PrefixTable` (per prefix length, hash maps): a lookup costs one
 * map lookup per distinct length (at most 24 for IPv4, 48 for IPv6), however many blocks the collection
 * holds. A client without a subnet matches no block.
 */
import { CidrCollectionModel, DEFAULT_CIDR_LOCATION, RecordSetModel } from '../../model';
import { Client } from '../client';
import { PrefixTable } from '../prefix-table';
import { chainRouter, Router } from './router';

export function ipBasedChain(records: readonly RecordSetModel[], collection: CidrCollectionModel | undefined): (client: Client) => readonly number[] {
  const byLocation = new Map<string, number>();
  let fallback = -1;
  records.forEach((r, i) => {
    const location = r.cidrRoutingConfig?.locationName;
    if (location === undefined) return;
    if (location === DEFAULT_CIDR_LOCATION) {
      if (fallback < 0) fallback = i;
    } else if (!byLocation.has(location)) {
      byLocation.set(location, i);
    }
  });
  const table = new PrefixTable<number>();
  for (const location of collection?.locations ?? []) {
    const record = byLocation.get(location.name);
    if (record === undefined) continue; // a location without a record routes nothing
    for (const cidr of location.cidrList) table.add(cidr, record);
  }
  const defaultOnly: readonly number[] = Object.freeze(fallback >= 0 ? [fallback] : []);
  return (client) => {
    const subnet = client.subnet;
    if (!subnet) return defaultOnly;
    const chain: number[] = [];
    for (const m of table.matches(subnet)) if (!chain.includes(m.value)) chain.push(m.value);
    if (fallback >= 0 && !chain.includes(fallback)) chain.push(fallback);
    return chain;
  };
}

export function compileIpBased(records: readonly RecordSetModel[], collection: CidrCollectionModel | undefined): Router {
  return chainRouter(records, ipBasedChain(records, collection));
}
