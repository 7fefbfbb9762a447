/**
 * The bundle config: the versioned JSON document a self-hosted DNS node (and, later, its checkers)
 * runs from. Version 1 is defined here, with its JSON Schema in `schema.json` next to this file.
 *
 * A bundle config holds:
 * - `zones`: the zones the DNS nodes serve, each with its SOA, its apex NS names and its static
 *   records (A, AAAA, CNAME, TXT, MX);
 * - `healthChecks` and `recordSets`: the failover groups, in the shape of the Route 53 model
 *   (`lib/model`), answered through the engine;
 * - `verdict`: how a DNS node turns checker reports into verdicts;
 * - `checkers` and `dnsNodes`: who reports and who serves.
 *
 * Record values use Route 53's spelling: an address for A and AAAA, a host name for CNAME,
 * `"preference host"` for MX (`10 mail.example.com`), and for TXT one or more double-quoted strings
 * (`"v=spf1 -all"`, `"part one" "part two"`; inside quotes `\"`, `\\` and `\ooo` octal escapes), or
 * an unquoted value taken as one text (split into 255-octet character-strings).
 *
 * Names are fully qualified, without a trailing dot (one is accepted and dropped), compared without
 * regard to case.
 */
import { CidrCollectionModel, HealthCheckModel, RecordSetModel } from '../model';

/** The version this build reads and writes. */
export const BUNDLE_CONFIG_VERSION = 1;

/** The record types a zone's static records may have. SOA and NS live in the zone's own fields. */
export const STATIC_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX'] as const;
export type StaticRecordType = (typeof STATIC_RECORD_TYPES)[number];

/** The record types a failover group (weighted, failover, multivalue) may have. */
export const GROUP_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX'] as const;

export interface BundleConfig {
  readonly version: 1;
  readonly zones: readonly BundleZone[];
  /** Health checks in the model's shape; `id` is what records and reports refer to. */
  readonly healthChecks: readonly HealthCheckModel[];
  /**
   * The failover groups: records with a routing policy (weight, failover role or multivalue answer),
   * in the model's shape. `hostedZoneName`, when given, must name one of `zones`; when omitted the
   * zone is the longest configured zone that contains the record's name.
   */
  readonly recordSets: readonly RecordSetModel[];
  /**
   * The CIDR collections IP-based records name (by `id`). Added compatibly to version 1.
   * @default - none
   */
  readonly cidrCollections?: readonly CidrCollectionModel[];
  /**
   * Where geolocation and latency routing find a client's country and position. Added compatibly to
   * version 1.
   * @default - the embedded DB-IP Lite country database
   */
  readonly geoip?: BundleGeoIp;
  /**
   * Regions of one's own that latency records may name, with their position (AWS region names keep
   * their published positions). Added compatibly to version 1.
   * @default - none
   */
  readonly regions?: readonly BundleRegion[];
  /**
   * An operator's latency map: clients in a block reach the regions in this order (the longest block
   * wins), instead of the nearest-region estimate from GeoIP positions. Added compatibly to version 1.
   * @default - none
   */
  readonly latencyMap?: readonly BundleLatencyMapEntry[];
  /**
   * How reports become verdicts.
   * @default - the engine's defaults (`DEFAULT_HEALTHY_FRACTION` of lib/model/facts.ts)
   */
  readonly verdict?: BundleVerdictSettings;
  /** The checkers whose reports a DNS node accepts. */
  readonly checkers: readonly BundleChecker[];
  /** The DNS nodes of the deployment (used by checkers to know where to push, and by manifests). */
  readonly dnsNodes: readonly BundleDnsNode[];
}

export interface BundleZone {
  /** The zone's apex, for example `example.com`. */
  readonly name: string;
  readonly soa: BundleSoa;
  /** The host names of the zone's name servers (apex NS records). At least one. */
  readonly nameServers: readonly string[];
  /**
   * TTL of the apex NS records, in seconds.
   * @default 172800 (Route 53's default)
   */
  readonly nameServerTtl?: number;
  /**
   * Static records (no routing policy, no health check).
   * @default - none
   */
  readonly records?: readonly BundleStaticRecord[];
}

export interface BundleSoa {
  /** The primary name server, for example `ns1.example.com`. */
  readonly mname: string;
  /** The responsible person's mailbox as a name, for example `hostmaster.example.com`. */
  readonly rname: string;
  readonly serial: number;
  /** @default 7200 */
  readonly refresh?: number;
  /** @default 900 */
  readonly retry?: number;
  /** @default 1209600 */
  readonly expire?: number;
  /** Negative-caching TTL (RFC 2308). @default 86400 */
  readonly minimum?: number;
  /** TTL of the SOA record itself. @default 900 */
  readonly ttl?: number;
}


export interface BundleStaticRecord {
  readonly name: string;
  readonly recordType: StaticRecordType;
  readonly ttl: number;
  readonly values: readonly string[];
}

export interface BundleVerdictSettings {
  /** Healthy when more than this fraction of the checkers with a fresh report say healthy. 0 <= f < 1. */
  readonly healthyFraction?: number;
  /** A report older than this (milliseconds) is not fresh. */
  readonly freshnessMs?: number;
}

export interface BundleChecker {
  /** Unique id, sent with every report. */
  readonly id: string;
  /** The region (any label: the self-hosted target is not limited to Route 53's regions). */
  readonly region: string;
  /**
   * The name of this checker's report key (`keys.ts`): its file in a DNS node's keys directory, its
   * systemd credential. Added compatibly to version 1.
   * @default - the id (see `defaultKeyName`)
   */
  readonly keyName?: string;
}

export interface BundleGeoIp {
  /**
   * A MaxMind DB (`.mmdb`) country or city database on the DNS node's machine (a mounted volume in
   * Kubernetes). Re-read on reload; an unreadable one is refused and the old one keeps serving.
   * @default - the embedded DB-IP Lite country database (CC BY 4.0, https://db-ip.com)
   */
  readonly database?: string;
}

export interface BundleRegion {
  /** The name latency records give (`fra`, `on-prem-east`). */
  readonly name: string;
  readonly latitude: number;
  readonly longitude: number;
}

export interface BundleLatencyMapEntry {
  /** Client networks, for example `203.0.113.0/24` (at most /24 and /48 count, as Route 53 decides). */
  readonly cidr: string;
  /** The regions, lowest latency first. */
  readonly regions: readonly string[];
}

export interface BundleDnsNode {
  readonly id: string;
  /** Where the node answers DNS (UDP and TCP), `host:port` (`[::1]:53` for IPv6). */
  readonly dns: string;
  /** Where the node's admin API listens (status, metrics, reports), `host:port`. */
  readonly admin: string;
  /**
   * Ignore the EDNS Client Subnet option of queries (answer by the source address, echo no option),
   * for operators who must not use it. Added compatibly to version 1.
   * @default false
   */
  readonly ignoreClientSubnet?: boolean;
}
