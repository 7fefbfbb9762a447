/**
 * Longest-prefix matching of client subnets against CIDR blocks, for IP-based routing and for a
 * self-hosted node's latency map. Blocks are kept per prefix length in hash maps keyed by their
 * leading bits, so a lookup costs one map lookup per distinct length present (at most 24 for IPv4, 48
 * for IPv6, Route 53's decision limits), however many blocks there are.
 */
import { ClientSubnet, maskBits, parseCidrBlock } from './client';

interface Family<T> {
  /** Prefix lengths present, longest first. */
  lengths: number[];
  readonly blocks: Map<number, Map<number, T[]>>;
}

/** One block that holds a subnet, and its length. */
export interface PrefixMatch<T> {
  readonly value: T;
  readonly prefix: number;
}

export class PrefixTable<T> {
  private readonly families: Record<4 | 6, Family<T>> = { 4: { lengths: [], blocks: new Map() }, 6: { lengths: [], blocks: new Map() } };
  private count = 0;

  /** Adds a block (`203.0.113.0/24`); returns false for a block it cannot hold (not a CIDR, or longer than /24 or /48). */
  add(cidr: string, value: T): boolean {
    const block = parseCidrBlock(cidr);
    if (!block) return false;
    const f = this.families[block.family];
    let map = f.blocks.get(block.prefix);
    if (!map) {
      map = new Map();
      f.blocks.set(block.prefix, map);
      f.lengths = [...f.lengths, block.prefix].sort((a, b) => b - a);
    }
    const list = map.get(block.bits) ?? [];
    if (!list.includes(value)) list.push(value);
    map.set(block.bits, list);
    this.count++;
    return true;
  }

  /** How many blocks were added. */
  get size(): number {
    return this.count;
  }

  /**
   * Every block that holds the subnet (no longer than its prefix, same leading bits), longest first;
   * values of one length in the order they were added.
   */
  matches(subnet: ClientSubnet): PrefixMatch<T>[] {
    const f = this.families[subnet.family];
    const out: PrefixMatch<T>[] = [];
    for (const length of f.lengths) {
      if (length > subnet.prefix) continue;
      const hit = f.blocks.get(length)!.get(maskBits(subnet.bits, length, subnet.family));
      if (hit) for (const value of hit) out.push({ value, prefix: length });
    }
    return out;
  }

  /** The longest block that holds the subnet, if any. */
  longest(subnet: ClientSubnet): PrefixMatch<T> | undefined {
    const f = this.families[subnet.family];
    for (const length of f.lengths) {
      if (length > subnet.prefix) continue;
      const hit = f.blocks.get(length)!.get(maskBits(subnet.bits, length, subnet.family));
      if (hit) return { value: hit[0], prefix: length };
    }
    return undefined;
  }
}
