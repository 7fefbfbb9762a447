/**
 * The settings of a self-hosted stack: its props checked, with the defaults filled in, and what the
 * renderers of the bundle's files get. Below the stack, the synth and every renderer.
 */
import { Duration } from 'aws-cdk-lib';
import { KubernetesServiceType, SelfHostedStackProps } from './props';
import { BundleConfig } from '../../bundle';
import { DEFAULT_HEALTHY_FRACTION, healthyFractionProblem, normalizeName } from '../../model';

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
  readonly dnsNodes: ReadonlyArray<{ readonly id: string; readonly dns: string; readonly admin: string }>;
  readonly checkers: ReadonlyArray<{ readonly id: string; readonly region: string }>;
  readonly healthyFraction: number;
  /** Unset: derived from the health checks' intervals. */
  readonly freshnessMs?: number;
  readonly containerImage: string;
  readonly kubernetes: { readonly namespace: string; readonly reportSecretName: string; readonly dnsServiceType: string };
  readonly systemd: { readonly cliPath: string; readonly configDirectory: string };
}

/** What a bundle config is built from, besides the model: the settings the drill also fills in. */
export type BundleSettings = Pick<StackSettings, 'zones' | 'zonesGiven' | 'dnsNodes' | 'checkers' | 'healthyFraction' | 'freshnessMs'>;

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
  }));
  if (dnsNodes.length === 0) throw new Error('dnsNodes is empty; give at least one DNS node, or leave dnsNodes unset for one on 127.0.0.1:5353');
  const checkers = (props.checkers ?? [{ id: 'checker-1', region: 'local' }]).map((c) => ({ id: c.id, region: c.region }));
  if (checkers.length === 0) throw new Error('checkers is empty; give at least one checker, or leave checkers unset for one in region \'local\'');
  for (const [list, what] of [[dnsNodes, 'DNS node'], [checkers, 'checker']] as const) {
    const seen = new Set<string>();
    for (const x of list) {
      if (!IDENTIFIER.test(x.id)) throw new Error(`${what} id '${x.id}' is not valid; use 1 to 128 letters, digits, '.', '_', '/' or '-', starting with a letter or digit`);
      if (seen.has(x.id)) throw new Error(`${what} id '${x.id}' is used twice; give each ${what} its own id`);
      seen.add(x.id);
    }
  }
  for (const c of checkers) {
    if (!IDENTIFIER.test(c.region)) throw new Error(`checker '${c.id}': region '${c.region}' is not valid; use 1 to 128 letters, digits, '.', '_', '/' or '-'`);
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
  const sd = props.systemd ?? {};
  return {
    zones,
    zonesGiven: props.zones !== undefined,
    dnsNodes,
    checkers,
    healthyFraction: fraction ?? DEFAULT_HEALTHY_FRACTION,
    freshnessMs,
    containerImage: props.containerImage ?? 'cdk-dns-failover:latest',
    kubernetes: {
      namespace: k.namespace ?? 'dns-failover',
      reportSecretName: k.reportSecretName ?? 'dns-failover-report-secret',
      dnsServiceType: k.dnsServiceType ?? KubernetesServiceType.CLUSTER_IP,
    },
    systemd: {
      cliPath: sd.cliPath ?? '/usr/local/bin/dns-failover',
      configDirectory: (sd.configDirectory ?? '/etc/dns-failover').replace(/\/+$/, '') || '/',
    },
  };
}

