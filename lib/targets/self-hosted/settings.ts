/**
 * The settings of a self-hosted stack: its props checked, with the defaults filled in, and what the
 * renderers of the bundle's files get. Below the stack, the synth and every renderer.
 */
import { isIP } from 'net';
import { Duration } from 'aws-cdk-lib';
import { KubernetesServiceType, SelfHostedStackProps } from './props';
import { BundleConfig, defaultKeyName, KEY_NAME_PATTERN } from '../../bundle';
import { DEFAULT_HEALTHY_FRACTION, healthyFractionProblem, LATENCY_REGIONS, normalizeName, parseCidrPrefix } from '../../model';

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/;

export interface StaticRecordSettings {
  readonly recordName: string;
  readonly recordType: string;
  readonly values: readonly string[];
  readonly ttl: number;
}

/** A zone as the stack settings hold it (durations in seconds). */
export interface ZoneSettings {
  readonly zoneName: string;
  readonly nameServers: readonly string[];
  readonly mname: string;
  readonly rname: string;
  readonly serial: number;
  readonly refresh?: number;
  readonly retry?: number;
  readonly expire?: number;
  readonly minimum?: number;
  readonly soaTtl?: number;
  readonly nameServerTtl?: number;
  readonly records: ReadonlyArray<StaticRecordSettings>;
}

/** The props of a `SelfHostedStack`, checked, with the defaults filled in. */
export interface StackSettings {
  readonly zones: readonly ZoneSettings[];
  /** False when the zones come from the gateways. */
  readonly zonesGiven: boolean;
  readonly dnsNodes: ReadonlyArray<{ readonly id: string; readonly dns: string; readonly admin: string; readonly ignoreClientSubnet?: boolean }>;
  /** `keyName` only when the props give one (the bundle config then names it). */
  readonly checkers: ReadonlyArray<{ readonly id: string; readonly region: string; readonly keyName?: string }>;
  readonly healthyFraction: number;
  /** Unset: derived from the health checks' intervals. */
  readonly freshnessMs?: number;
  readonly geoipDatabase?: string;
  readonly regions: ReadonlyArray<{ readonly name: string; readonly latitude: number; readonly longitude: number }>;
  readonly latencyMap: ReadonlyArray<{ readonly cidr: string; readonly regions: readonly string[] }>;
  readonly containerImage: string;
  readonly kubernetes: { readonly namespace: string; readonly dnsServiceType: string };
  readonly systemd: { readonly cliPath: string; readonly configDirectory: string };
  /** Warnings about the props themselves (an admin address others can reach), `problem; fix`. */
  readonly warnings: readonly string[];
}

/** What a bundle config is built from, besides the model: the settings the drill also fills in. */
export type BundleSettings = Pick<StackSettings, 'zones' | 'zonesGiven' | 'dnsNodes' | 'checkers' | 'healthyFraction' | 'freshnessMs'>
  & Partial<Pick<StackSettings, 'geoipDatabase' | 'regions' | 'latencyMap'>>;

/** What the renderers of the bundle's files get. */
export interface BundleContext {
  readonly config: BundleConfig;
  readonly settings: StackSettings;
  readonly stackPath: string;
  readonly version: string;
  readonly warnings: readonly string[];
}

/** The zone a stack serves for a gateway's zone name when its props list no zones. */
export function defaultZone(zoneName: string, settings: Pick<StackSettings, 'dnsNodes'>): ZoneSettings {
  const nameServers = settings.dnsNodes.map((_, i) => `ns${i + 1}.${zoneName}`);
  return { zoneName, nameServers, mname: nameServers[0], rname: `hostmaster.${zoneName}`, serial: 1, records: [] };
}

function seconds(d: Duration | undefined, what: string): number | undefined {
  if (d === undefined) return undefined;
  const s = d.toMilliseconds() / 1000;
  if (!Number.isInteger(s) || s < 0) throw new Error(`${what} is ${s} s; give whole seconds, 0 or more`);
  return s;
}

function mailboxToName(mailbox: string): string {
  const at = mailbox.indexOf('@');
  if (at < 0) return normalizeName(mailbox);
  const local = mailbox.slice(0, at);
  if (local.includes('.')) {
    throw new Error(`hostmaster '${mailbox}' has a dot before the @, which the SOA's name form cannot carry here; use a mailbox without dots in its local part, such as hostmaster@${mailbox.slice(at + 1)}`);
  }
  return normalizeName(`${local}.${mailbox.slice(at + 1)}`);
}

/** The props of a stack, checked, with the defaults filled in; throws naming the bad value and the fix. */
export function settingsOf(props: SelfHostedStackProps): StackSettings {
  const fraction = props.healthyFraction;
  const fractionProblem = fraction !== undefined ? healthyFractionProblem(fraction) : undefined;
  if (fractionProblem !== undefined) throw new Error(fractionProblem);
  const freshnessMs = props.freshness?.toMilliseconds();
  if (freshnessMs !== undefined && !(freshnessMs >= 1 && Number.isInteger(freshnessMs))) {
    throw new Error(`freshness ${freshnessMs} ms is too short; give at least 1 ms, and more than a checker's request interval`);
  }

  const dnsNodes = (props.dnsNodes ?? [{ id: 'dns-1' }]).map((n, i) => ({
    id: n.id,
    dns: n.dnsAddress ?? `127.0.0.1:${5353 + i}`,
    admin: n.adminAddress ?? `127.0.0.1:${8053 + i}`,
    ...(n.ignoreClientSubnet === true ? { ignoreClientSubnet: true } : {}),
  }));
  if (dnsNodes.length === 0) throw new Error('dnsNodes is empty; give at least one DNS node, or leave dnsNodes unset for one on 127.0.0.1:5353');
  const checkers = (props.checkers ?? [{ id: 'checker-1', region: 'local' }]).map((c) => ({ id: c.id, region: c.region, ...(c.keyName !== undefined ? { keyName: c.keyName } : {}) }));
  if (checkers.length === 0) throw new Error('checkers is empty; give at least one checker, or leave checkers unset for one in region \'local\'');
  for (const [list, what] of [[dnsNodes, 'DNS node'], [checkers, 'checker']] as const) {
    const seen = new Set<string>();
    for (const x of list) {
      if (!IDENTIFIER.test(x.id)) throw new Error(`${what} id '${x.id}' is not valid; use 1 to 128 letters, digits, '.', '_', '/' or '-', starting with a letter or digit`);
      if (seen.has(x.id)) throw new Error(`${what} id '${x.id}' is used twice; give each ${what} its own id`);
      seen.add(x.id);
    }
  }
  const keyNames = new Map<string, string>();
  for (const c of checkers) {
    if (!IDENTIFIER.test(c.region)) throw new Error(`checker '${c.id}': region '${c.region}' is not valid; use 1 to 128 letters, digits, '.', '_', '/' or '-'`);
    if (c.keyName !== undefined && !KEY_NAME_PATTERN.test(c.keyName)) {
      throw new Error(`checker '${c.id}': keyName '${c.keyName}' is not valid; use 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit (it is a file name)`);
    }
    const keyName = c.keyName ?? defaultKeyName(c.id);
    const other = keyNames.get(keyName);
    if (other !== undefined) throw new Error(`checkers '${other}' and '${c.id}' would share the report key '${keyName}'; give each checker a keyName of its own`);
    keyNames.set(keyName, c.id);
  }
  for (const n of dnsNodes) {
    for (const [field, value] of [['dnsAddress', n.dns], ['adminAddress', n.admin]] as const) {
      if (!HOST_PORT.test(value)) throw new Error(`DNS node '${n.id}': ${field} '${value}' is not host:port; write for example 127.0.0.1:5353, or [::1]:5353 for IPv6`);
    }
  }

  const zones = (props.zones ?? []).map((z) => {
    const zoneName = normalizeName(z.zoneName);
    if (!zoneName) throw new Error('a zone has an empty zoneName; give its apex, for example \'example.com\'');
    const nameServers = (z.nameServers ?? dnsNodes.map((_, i) => `ns${i + 1}.${zoneName}`)).map(normalizeName);
    if (nameServers.length === 0) throw new Error(`zone '${zoneName}': nameServers is empty; give at least one name server, or leave it unset`);
    return {
      zoneName,
      nameServers,
      mname: normalizeName(z.primaryNameServer ?? nameServers[0]),
      rname: z.hostmaster !== undefined ? mailboxToName(z.hostmaster) : `hostmaster.${zoneName}`,
      serial: z.serial ?? 1,
      refresh: seconds(z.refresh, `zone '${zoneName}': refresh`),
      retry: seconds(z.retry, `zone '${zoneName}': retry`),
      expire: seconds(z.expire, `zone '${zoneName}': expire`),
      minimum: seconds(z.negativeCacheTtl, `zone '${zoneName}': negativeCacheTtl`),
      soaTtl: seconds(z.soaTtl, `zone '${zoneName}': soaTtl`),
      nameServerTtl: seconds(z.nameServerTtl, `zone '${zoneName}': nameServerTtl`),
      records: (z.records ?? []).map((r) => ({
        recordName: r.recordName,
        recordType: r.recordType,
        values: [...r.values],
        ttl: seconds(r.ttl, `zone '${zoneName}': record '${r.recordName}' ttl`) ?? 300,
      })),
    };
  });
  const seenZones = new Set<string>();
  for (const z of zones) {
    if (seenZones.has(z.zoneName)) throw new Error(`zone '${z.zoneName}' is listed twice; list each zone once`);
    seenZones.add(z.zoneName);
  }

  const k = props.kubernetes ?? {};
  if (k.reportSecretName !== undefined) {
    throw new Error(`kubernetes.reportSecretName '${k.reportSecretName}' is no longer used: one shared report secret let any checker sign as any other. `
      + 'Every checker has its own key now, in a Secret of its own named after the stack and the checker\'s keyName (the bundle\'s README lists them); remove reportSecretName');
  }
  const sd = props.systemd ?? {};
  const regions = (props.regions ?? []).map((r) => {
    if (!IDENTIFIER.test(r.name)) throw new Error(`region '${r.name}' is not a valid name; use 1 to 128 letters, digits, '.', '_', '/' or '-'`);
    if (!(r.latitude >= -90 && r.latitude <= 90) || !(r.longitude >= -180 && r.longitude <= 180)) {
      throw new Error(`region '${r.name}': position ${r.latitude}, ${r.longitude} is not a latitude (-90 to 90) and a longitude (-180 to 180) in degrees`);
    }
    return { name: r.name, latitude: r.latitude, longitude: r.longitude };
  });
  const regionNames = new Set<string>();
  for (const r of regions) {
    if (regionNames.has(r.name)) throw new Error(`region '${r.name}' is defined twice; define each region once`);
    regionNames.add(r.name);
  }
  const latencyMap = (props.latencyMap ?? []).flatMap((e, i) => {
    if (e.regions.length === 0) throw new Error(`latencyMap entry ${i + 1} names no region; give the regions, lowest latency first`);
    for (const r of e.regions) {
      if (!regionNames.has(r) && !(LATENCY_REGIONS as readonly string[]).includes(r)) {
        throw new Error(`latencyMap entry ${i + 1}: region '${r}' is neither one of the stack's regions (${[...regionNames].join(', ') || 'none'}) nor an AWS region; add it to regions with its position`);
      }
    }
    return e.cidrBlocks.map((cidr) => {
      const block = parseCidrPrefix(cidr);
      if (!block) throw new Error(`latencyMap entry ${i + 1}: '${cidr}' is not a CIDR block; write one such as 203.0.113.0/24 or 2001:db8::/48`);
      if (!block.network) throw new Error(`latencyMap entry ${i + 1}: '${cidr}' has bits set beyond its /${block.prefix} prefix; write the network address, ${block.canonical}`);
      return { cidr: block.canonical, regions: [...e.regions] };
    });
  });
  if (props.geoipDatabase !== undefined && !props.geoipDatabase.startsWith('/')) {
    throw new Error(`geoipDatabase '${props.geoipDatabase}' is not an absolute path; give the database's path on the DNS nodes' machines, for example /var/lib/geoip/GeoLite2-Country.mmdb`);
  }
  return {
    zones,
    zonesGiven: props.zones !== undefined,
    dnsNodes,
    checkers,
    healthyFraction: fraction ?? DEFAULT_HEALTHY_FRACTION,
    freshnessMs,
    ...(props.geoipDatabase !== undefined ? { geoipDatabase: props.geoipDatabase } : {}),
    regions,
    latencyMap,
    containerImage: props.containerImage ?? 'cdk-dns-failover:latest',
    kubernetes: {
      namespace: k.namespace ?? 'dns-failover',
      dnsServiceType: k.dnsServiceType ?? KubernetesServiceType.CLUSTER_IP,
    },
    systemd: {
      cliPath: sd.cliPath ?? '/usr/local/bin/dns-failover',
      configDirectory: (sd.configDirectory ?? '/etc/dns-failover').replace(/\/+$/, '') || '/',
    },
    warnings: dnsNodes.flatMap((n) => {
      const w = adminAddressWarning(n.admin);
      return w === undefined ? [] : [`DNS node '${n.id}': ${w}`];
    }),
  };
}

/** The host of `host:port` (`[v6]:port` too). */
function hostOf(hostPort: string): string {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):\d+$/.exec(hostPort);
  return m ? (m[1] ?? m[2]) : hostPort;
}

/** Whether an IP address is loopback, private, shared (CGNAT) or link-local: not reachable from the internet. */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number);
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)
      || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254);
  }
  if (isIP(ip) === 6) {
    const v = ip.toLowerCase();
    if (v === '::1') return true;
    if (v.startsWith('::ffff:') && isIP(v.slice(7)) === 4) return isPrivateAddress(v.slice(7));
    return /^f[cd][0-9a-f]{0,2}:/.test(v) || /^fe[89ab][0-9a-f]?:/.test(v);
  }
  return false;
}

/**
 * A warning for an admin address others may reach: the admin API takes checker reports (signed) and
 * answers /metrics and /healthz to everyone, and /status and /reload to loopback clients and token
 * holders; it belongs on a private network all the same. Undefined for loopback and private addresses.
 */
export function adminAddressWarning(hostPort: string): string | undefined {
  const host = hostOf(hostPort);
  const fix = 'put the admin API on a loopback or private address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7) that only the checkers reach, or firewall its port to them';
  if (host === '0.0.0.0' || host === '::') return `adminAddress '${hostPort}' listens on every interface, public ones included; ${fix}`;
  if (isIP(host) === 0) return `adminAddress '${hostPort}' is a host name, so whether it is private cannot be told at synth; ${fix}`;
  if (!isPrivateAddress(host)) return `adminAddress '${hostPort}' is a public address: anyone on the internet can reach the admin API; ${fix}`;
  return undefined;
}

