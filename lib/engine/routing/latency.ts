/**
 * Latency routing (ROUTE53.md §2 "Latency", DG-lat): "Route 53 answers with the record of the region
 * with the lowest latency to the client's network; unhealthy: the next best region, and so on; all
 * unhealthy: last resort, the best region."
 *
 * The client brings the order of the regions (`Client.regionOrder`, lowest latency first). Records of
 * regions the order does not name come after the named ones, in record order; a client without an
 * order (nothing known about its latency) gets the records in record order (our choice).
 */
import { RecordSetModel } from '../../model';
import { Client } from '../client';
import { chainRouter, Router } from './router';

export function latencyChain(records: readonly RecordSetModel[]): (client: Client) => readonly number[] {
  const inRecordOrder = Object.freeze(records.map((_, i) => i));
  // Clients of one place share their order (the same array): the chain is sorted once per order.
  const chains = new WeakMap<readonly string[], readonly number[]>();
  return (client) => {
    const order = client.regionOrder;
    if (!order || order.length === 0) return inRecordOrder;
    let chain = chains.get(order);
    if (!chain) {
      const rank = (i: number) => {
        const k = order.indexOf(records[i].region ?? '');
        return k < 0 ? order.length : k;
      };
      chain = Object.freeze([...inRecordOrder].sort((a, b) => rank(a) - rank(b) || a - b));
      chains.set(order, chain);
    }
    return chain;
  };
}

export function compileLatency(records: readonly RecordSetModel[]): Router {
  return chainRouter(records, latencyChain(records));
}
