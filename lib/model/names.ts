import { isIPv4, isIPv6 } from 'net';
import { isUnresolved } from './tokens';

/** Lower case, no trailing dot: the one spelling the model uses for DNS names. */
export function normalizeName(name: string): string {
  if (isUnresolved(name)) return name;
  const trimmed = name.trim().toLowerCase();
  return trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
}

/**
 * The fully qualified record name for `recordName` in `zoneName`.
 * `recordName` may be relative (`api`), the apex (`@` or empty), already qualified
 * (`api.example.com`), or absolute with a trailing dot (`api.example.com.`).
 */
export function qualifyName(recordName: string, zoneName: string): string {
  const zone = normalizeName(zoneName);
  if (isUnresolved(recordName)) return recordName;
  if (recordName === '' || recordName === '@') return zone;
  if (recordName.endsWith('.')) return normalizeName(recordName);
  const name = normalizeName(recordName);
  if (isUnresolved(zone)) return `${name}.${zone}`;
  if (name === zone || name.endsWith(`.${zone}`)) return name;
  return `${name}.${zone}`;
}

/** Why `name` is not a valid DNS name (RFC 1035 lengths, Route 53's characters), or undefined. */
export function dnsNameProblem(name: string): string | undefined {
  if (isUnresolved(name)) return undefined;
  const n = normalizeName(name);
  if (n.length === 0) return 'it is empty';
  if (n.length > 253) return `it has ${n.length} characters, the limit is 253 (255 in wire form)`;
  for (const label of n.split('.')) {
    if (label.length === 0) return 'it has an empty label (two dots in a row)';
    if (label.length > 63) return `its label '${label.slice(0, 20)}...' has ${label.length} characters, the limit is 63`;
    if (!/^[a-z0-9_*-]+$/.test(label)) return `its label '${label}' has characters other than letters, digits, '-', '_' and '*'`;
  }
  return undefined;
}

export function isIpAddress(value: string): boolean {
  return isIPv4(value) || isIPv6(value);
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => (acc * 256) + Number(octet), 0);
}

/** [network, prefix length, what it is] */
const SPECIAL_IPV4: ReadonlyArray<[string, number, string]> = [
  ['0.0.0.0', 8, '"this network" (RFC 1122)'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'shared address space (RFC 6598)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

/**
 * When `ip` lies in a range Route 53 health checkers refuse to probe (private, loopback, link-local,
 * multicast, shared address space), says which; otherwise undefined. Documentation ranges
 * (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) are allowed here (ROUTE53.md names only the former).
 */
export function nonPublicAddressKind(ip: string): string | undefined {
  if (isIPv4(ip)) {
    const value = ipv4ToInt(ip);
    for (const [net, bits, kind] of SPECIAL_IPV4) {
      const size = 2 ** (32 - bits);
      const start = ipv4ToInt(net);
      if (value >= start && value < start + size) return kind;
    }
    return undefined;
  }
  if (isIPv6(ip)) {
    const lower = ip.toLowerCase();
    if (lower === '::1') return 'loopback';
    if (lower === '::') return 'unspecified';
    const first = parseInt(lower.split(':')[0] || '0', 16);
    if ((first & 0xfe00) === 0xfc00) return 'unique local (private)';
    if ((first & 0xffc0) === 0xfe80) return 'link-local';
    if ((first & 0xff00) === 0xff00) return 'multicast';
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    if (mapped) return nonPublicAddressKind(mapped[1]);
    return undefined;
  }
  return undefined;
}
