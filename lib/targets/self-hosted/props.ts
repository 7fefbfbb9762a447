/**
 * The props of the self-hosted target's public API (jsii): the stack, its zones, DNS nodes, checkers,
 * and how its Kubernetes manifests and systemd units are written.
 */
import { Duration } from 'aws-cdk-lib';

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
  /**
   * Ignore the EDNS Client Subnet option of queries: routing trees answer by the resolver's address,
   * and no option is echoed (for operators who must not use client subnets).
   * @default false - the option is used and echoed (RFC 7871), as Route 53 does
   */
  readonly ignoreClientSubnet?: boolean;
}

/** A region of one's own that latency gateways may name, with its position. */
export interface SelfHostedRegion {
  /** The name latency endpoints give as their `region`: letters, digits, `.`, `_`, `/`, `-`. */
  readonly name: string;
  /** Its latitude in degrees, -90 to 90. */
  readonly latitude: number;
  /** Its longitude in degrees, -180 to 180. */
  readonly longitude: number;
}

/** One entry of an operator's latency map. */
export interface SelfHostedLatencyMapEntry {
  /** Client networks, for example `203.0.113.0/24` (at most /24 and /48 count, as Route 53 decides). */
  readonly cidrBlocks: string[];
  /** The regions these clients reach, lowest latency first. */
  readonly regions: string[];
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
  /**
   * The name of this checker's report key: the key's file name in the DNS nodes' keys directory and on
   * the checker's machine, its systemd credential, its path in the Kubernetes volumes. Letters, digits,
   * `.`, `_`, `-`, starting with a letter or digit. Every checker signs its reports with its own key,
   * so a checker can only speak for itself.
   * @default - the id (an id with `/` gets a name made from it, with a digest)
   */
  readonly keyName?: string;
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
  // Kubernetes' own word. jsii flags `namespace` as a C# keyword, but no binding uses it as one: C# and
  // Go name the property `Namespace`, Python and Java keep `namespace`, no keyword there.
  /**
   * The namespace of every object.
   * @default 'dns-failover'
   * @jsii suppress JSII5018
   */
  readonly namespace?: string;
  /**
   * Not used any more: setting it fails, saying so. Each checker's key is in a Secret of its own,
   * `<stack>-key-<keyName>`, which the bundle's README lists.
   * @deprecated every checker has its own key now; see `SelfHostedChecker.keyName`
   * @default - not used
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
   * The directory holding the bundle config (`config.json`) and, in `keys/`, the checkers' report keys
   * (one file per key name: every key on a DNS node's machine, its own key on a checker's machine).
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
   * @default - Route 53's rule: `DEFAULT_HEALTHY_FRACTION` of lib/model/facts.ts
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
   * @default - namespace `dns-failover`, ClusterIP Services
   */
  readonly kubernetes?: SelfHostedKubernetesOptions;
  /**
   * How the systemd units are written.
   * @default - `/usr/local/bin/dns-failover`, config in `/etc/dns-failover`
   */
  readonly systemd?: SelfHostedSystemdOptions;
  /**
   * The GeoIP database geolocation and latency gateways read a client's country and position from: a
   * MaxMind DB (`.mmdb`) country or city database, by its path on the DNS nodes' machines (in
   * Kubernetes, mounted from the PersistentVolumeClaim `<stack>-geoip` at its directory). Checked at
   * synth when the file is on this machine; a node refuses to start (or keeps its old config on reload)
   * with a database it cannot use.
   * @default - the embedded DB-IP Lite country database (CC BY 4.0, https://db-ip.com), shipped with the package
   */
  readonly geoipDatabase?: string;
  /**
   * Regions of one's own that latency gateways may name, with their positions. AWS region names keep
   * their published positions. A client is sent to the nearest healthy region by great-circle distance
   * from its GeoIP position (or its country's), an approximation of Route 53's measured latency.
   * @default - none: latency gateways name AWS regions
   */
  readonly regions?: SelfHostedRegion[];
  /**
   * An operator's latency map: clients in these blocks reach the regions in this order (the longest
   * matching block wins), instead of the nearest-region estimate.
   * @default - none
   */
  readonly latencyMap?: SelfHostedLatencyMapEntry[];
}

