/**
 * The self-hosted target's public API: `SelfHostedApp` and `SelfHostedStack`. Gateways and health
 * checks placed in a `SelfHostedStack` are rendered into a bundle: the bundle config the project's
 * own DNS nodes and checkers run from, Kubernetes manifests, systemd units and a README.
 */
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { DEFAULT_HEALTHY_FRACTION } from '../../engine';
import { normalizeName } from '../../model';
import { registerTargetProvider } from '../target';
import { BundleSynthesis, StackSettings, synthesizeBundle, writeBundle } from './synth';
import { SelfHostedTarget } from './target';

/** The record types of a zone's static records. */
export enum SelfHostedRecordType {
  /** IPv4 addresses. */
  A = 'A',
  /** IPv6 addresses. */
  AAAA = 'AAAA',
  /** One host name. */
  CNAME = 'CNAME',
  /** Text, in Route 53's spelling (`"v=spf1 -all"`, several quoted strings per value allowed). */
  TXT = 'TXT',
  /** Mail exchangers as `preference host` (`10 mail.example.com`). */
  MX = 'MX',
}

/** A static record of a self-hosted zone: no routing policy, no health check. */
export interface SelfHostedRecord {
  /** The record name: relative to the zone (`ns1`), the apex (`@`), or fully qualified. */
  readonly recordName: string;
  /** The record type. */
  readonly recordType: SelfHostedRecordType;
  /** The values, in Route 53's spelling. */
  readonly values: string[];
  /**
   * The record's TTL.
   * @default Duration.seconds(300)
   */
  readonly ttl?: Duration;
}

/** A zone the DNS nodes serve, with its apex SOA and NS records. */
export interface SelfHostedZone {
  /** The zone's apex, for example `example.com`. */
  readonly zoneName: string;
  /**
   * The host names of the zone's name servers (the apex NS records). Delegate the zone to these names
   * at its parent, and give them addresses (glue, or `records` here).
   * @default - `ns1.<zone>`, `ns2.<zone>`, ... one per DNS node
   */
  readonly nameServers?: string[];
  /**
   * The SOA's primary name server (MNAME).
   * @default - the first of `nameServers`
   */
  readonly primaryNameServer?: string;
  /**
   * The SOA's responsible person (RNAME): a mailbox, as `hostmaster@example.com` or in DNS name form
   * (`hostmaster.example.com`).
   * @default - `hostmaster.<zone>`
   */
  readonly hostmaster?: string;
  /**
   * The SOA serial. The DNS nodes all serve the bundle they are given; nothing transfers the zone,
   * so the serial only matters to outside secondaries.
   * @default 1 - Route 53's serial for a new hosted zone
   */
  readonly serial?: number;
  /**
   * SOA REFRESH.
   * @default Duration.seconds(7200) - Route 53's
   */
  readonly refresh?: Duration;
  /**
   * SOA RETRY.
   * @default Duration.seconds(900) - Route 53's
   */
  readonly retry?: Duration;
  /**
   * SOA EXPIRE.
   * @default Duration.seconds(1209600) - Route 53's (two weeks)
   */
  readonly expire?: Duration;
  /**
   * How long resolvers cache a negative answer (NXDOMAIN, NODATA): the SOA MINIMUM field (RFC 2308).
   * @default Duration.seconds(86400) - Route 53's
   */
  readonly negativeCacheTtl?: Duration;
  /**
   * The TTL of the SOA record itself.
   * @default Duration.seconds(900) - Route 53's
   */
  readonly soaTtl?: Duration;
  /**
   * The TTL of the apex NS records.
   * @default Duration.seconds(172800) - Route 53's (two days)
   */
  readonly nameServerTtl?: Duration;
  /**
   * Static records of the zone (for example the name servers' addresses).
   * @default - none
   */
  readonly records?: SelfHostedRecord[];
}

/** A DNS node of the self-hosted stack: it serves the zones and decides verdicts from checker reports. */
export interface SelfHostedDnsNode {
  /** A unique id: letters, digits, `.`, `_`, `/`, `-` (it names its systemd unit and Kubernetes objects). */
  readonly id: string;
  /**
   * Where the node answers DNS over UDP and TCP, `host:port` (`[v6]:port` for IPv6). Used by its
   * systemd unit; in Kubernetes a Service publishes the pod's port 5353 instead.
   * @default - `127.0.0.1:5353` for the first node, `127.0.0.1:5354` for the second, ...
   */
  readonly dnsAddress?: string;
  /**
   * Where the node's admin API listens (status, metrics, checker reports), `host:port`. Checkers push
   * their reports to `http://<adminAddress>/reports`.
   * @default - `127.0.0.1:8053` for the first node, `127.0.0.1:8054` for the second, ...
   */
  readonly adminAddress?: string;
}

/** A health checker of the self-hosted stack: it probes every endpoint and pushes its view to every DNS node. */
export interface SelfHostedChecker {
  /** A unique id, sent with every report: letters, digits, `.`, `_`, `/`, `-`. */
  readonly id: string;
  /**
   * Where the checker runs. Any label (the self-hosted target is not limited to Route 53's regions);
   * a health check with `regions` is probed by the checkers of those regions only.
   */
  readonly region: string;
}

/** The type of the Kubernetes Services that publish DNS. */
export enum KubernetesServiceType {
  /** Reachable inside the cluster only. */
  CLUSTER_IP = 'ClusterIP',
  /** A port on every node. */
  NODE_PORT = 'NodePort',
  /** An external load balancer (where the cluster has one). */
  LOAD_BALANCER = 'LoadBalancer',
}

/** How the bundle's Kubernetes manifests are written. */
export interface SelfHostedKubernetesOptions {
  /**
   * The namespace of every object.
   * @default 'dns-failover'
   */
  readonly namespace?: string;
  /**
   * The name of the Secret holding the report secret under the key `secret`. You create it
   * (the bundle's README says how); the manifests only refer to it, they never contain a secret.
   * @default 'dns-failover-report-secret'
   */
  readonly reportSecretName?: string;
  /**
   * The type of the UDP and TCP Services that publish DNS.
   * @default KubernetesServiceType.CLUSTER_IP
   */
  readonly dnsServiceType?: KubernetesServiceType;
}

/** How the bundle's systemd units are written. */
export interface SelfHostedSystemdOptions {
  /**
   * The `dns-failover` executable on the machines.
   * @default '/usr/local/bin/dns-failover' - where `npm install --global` puts it with the default prefix
   */
  readonly cliPath?: string;
  /**
   * The directory holding the bundle config (`config.json`) and the report secret (`report-secret`).
   * @default '/etc/dns-failover'
   */
  readonly configDirectory?: string;
}

/** Properties of a `SelfHostedStack`. */
export interface SelfHostedStackProps {
  /**
   * The zones the DNS nodes serve. Every gateway's record must fall in one of them.
   * @default - the zones the gateways name by name (`GatewayZone.fromZoneName`), with default SOA and NS;
   * a zone a gateway names by hosted zone id must be listed here
   */
  readonly zones?: SelfHostedZone[];
  /**
   * The DNS nodes.
   * @default - one node, `dns-1`, DNS on 127.0.0.1:5353 and admin API on 127.0.0.1:8053
   */
  readonly dnsNodes?: SelfHostedDnsNode[];
  /**
   * The health checkers. Every DNS node decides from the reports of all of them, as Route 53 does
   * with its checkers in several regions.
   * @default - one checker, `checker-1`, in region `local`
   */
  readonly checkers?: SelfHostedChecker[];
  /**
   * A health check is healthy when more than this fraction of the checkers with a fresh report say
   * healthy (from 0 up to, not including, 1).
   * @default 0.18 - Route 53's rule ("more than 18 %")
   */
  readonly healthyFraction?: number;
  /**
   * A checker's report older than this is not fresh and does not count.
   * @default - 3 times the longest request interval of the health checks, at least 30 seconds
   */
  readonly freshness?: Duration;
  /**
   * The container image with the `dns-failover` command, for the Kubernetes manifests. The bundle
   * carries a Dockerfile and its README says how to build and push this image: no public image exists.
   * @default 'cdk-dns-failover:latest'
   */
  readonly containerImage?: string;
  /**
   * How the Kubernetes manifests are written.
   * @default - namespace `dns-failover`, Secret `dns-failover-report-secret`, ClusterIP Services
   */
  readonly kubernetes?: SelfHostedKubernetesOptions;
  /**
   * How the systemd units are written.
   * @default - `/usr/local/bin/dns-failover`, config in `/etc/dns-failover`
   */
  readonly systemd?: SelfHostedSystemdOptions;
}

const STACK_SYMBOL = Symbol.for('cdk-dns-failover.SelfHostedStack');
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/;

/**
 * A stack that renders gateways and health checks for the project's own DNS nodes and checkers,
 * the way an aws-cdk-lib `Stack` renders them for CloudFormation and a cdktf `TerraformStack` for
 * Terraform. `synth(directory)` (or `SelfHostedApp.synth()`) writes the bundle.
 *
 * The self-hosted target accepts request intervals down to 100 ms and custom probe timeouts, private
 * and loopback addresses (its checkers run inside your network), any region names, and disabled
 * health checks. It refuses CloudWatch alarm and routing control health checks.
 */
export class SelfHostedStack extends Construct {
  /** Whether `x` is a `SelfHostedStack`. */
  public static isSelfHostedStack(x: any): x is SelfHostedStack {
    return x !== null && typeof x === 'object' && STACK_SYMBOL in x;
  }

  /** The `SelfHostedStack` a construct is in. Fails when it is in none. */
  public static of(construct: IConstruct): SelfHostedStack {
    for (let node: IConstruct | undefined = construct; node; node = node.node.scope) {
      if (SelfHostedStack.isSelfHostedStack(node)) return node;
    }
    throw new Error(`'${construct.node.path || construct.node.id}' is not inside a SelfHostedStack; create one and place the construct in it`);
  }

  /** The directory name of this stack's bundle below a `SelfHostedApp`'s outdir: its construct path with `-` for `/`. */
  public readonly artifactId: string;
  /** @internal */
  public readonly _target: SelfHostedTarget;
  private readonly settings: StackSettings;

  constructor(scope: Construct, id: string, props: SelfHostedStackProps = {}) {
    super(scope, id);
    Object.defineProperty(this, STACK_SYMBOL, { value: true });
    this.artifactId = this.node.path.split('/').filter((p) => p !== '').join('-') || id;
    this._target = new SelfHostedTarget(this);
    this.settings = settingsOf(props);
    this.node.addValidation({ validate: () => [...this._synthesize().problems] });
  }

  /**
   * Writes the bundle into `outdir` (created when missing; files of an earlier synth are replaced):
   * `config.json` (the bundle config, validated against its JSON Schema first), `kubernetes/`,
   * `systemd/`, `Dockerfile` and `README.md`. Fails, writing nothing, when the stack has errors.
   */
  public synth(outdir: string): void {
    const errors: string[] = [];
    for (const c of this.node.findAll()) errors.push(...c.node.validate().map((e) => `${c.node.path}: ${e}`));
    if (errors.length > 0) {
      throw new Error(`cannot synthesize the self-hosted stack '${this.node.path}':\n${[...new Set(errors)].join('\n')}`);
    }
    writeBundle(path.resolve(outdir), this._synthesize());
  }

  /** The bundle in memory: config, files and problems. @internal */
  public _synthesize(): BundleSynthesis {
    return synthesizeBundle(this.settings, this._target, this);
  }
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

function settingsOf(props: SelfHostedStackProps): StackSettings {
  const fraction = props.healthyFraction;
  if (fraction !== undefined && !(fraction >= 0 && fraction < 1)) {
    throw new Error(`healthyFraction ${fraction} is out of range; give a fraction from 0 up to (not including) 1, Route 53 uses 0.18`);
  }
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

/** Properties of a `SelfHostedApp`. */
export interface SelfHostedAppProps {
  /**
   * The directory `synth()` writes the bundles into, one subdirectory per stack.
   * @default - $DNS_FAILOVER_OUTDIR, or 'dns-failover.out' in the working directory
   */
  readonly outdir?: string;
}

/**
 * The root of a self-hosted app, like cdktf's `App`: stacks go inside, `synth()` writes one bundle
 * per `SelfHostedStack` into `<outdir>/<stack artifactId>`.
 */
export class SelfHostedApp extends Construct {
  /** Where `synth()` writes the bundles. */
  public readonly outdir: string;

  constructor(props: SelfHostedAppProps = {}) {
    super(undefined as any, '');
    this.outdir = props.outdir ?? process.env.DNS_FAILOVER_OUTDIR ?? 'dns-failover.out';
  }

  /** Writes the bundle of every `SelfHostedStack` in the app. Fails, naming every problem, when a stack has errors. */
  public synth(): void {
    const stacks = this.node.findAll().filter((c): c is SelfHostedStack => SelfHostedStack.isSelfHostedStack(c));
    const ids = new Map<string, string>();
    for (const s of stacks) {
      const other = ids.get(s.artifactId);
      if (other !== undefined) throw new Error(`stacks '${other}' and '${s.node.path}' would both write ${s.artifactId}/; give them distinct ids`);
      ids.set(s.artifactId, s.node.path);
    }
    for (const s of stacks) s.synth(path.join(this.outdir, s.artifactId));
  }
}

registerTargetProvider({
  targetFor: (scope) => (SelfHostedStack.isSelfHostedStack(scope) ? scope._target : undefined),
});
