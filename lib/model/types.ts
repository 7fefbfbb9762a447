/**
 * The Route 53 resource model: plain data that says what Route 53 itself says.
 *
 * Every target renders from it and reads back into it; the engine and the verifier consume it.
 * Field names follow the Route 53 API (`HealthCheckConfig`, `ResourceRecordSet`) in camelCase.
 * Fields left undefined mean "not set in the artifact": Route 53's defaults apply where they are used
 * (they are written once, in `facts.ts`).
 *
 * This module is internal (not exported through jsii), so it may use any TypeScript.
 */

import { FailoverRole, HealthCheckType, InsufficientDataHealthStatus, RecordType } from './facts';

/** `HealthCheckConfig` of the Route 53 API. */
export interface HealthCheckConfigModel {
  readonly type: HealthCheckType;
  readonly ipAddress?: string;
  readonly fullyQualifiedDomainName?: string;
  readonly port?: number;
  readonly resourcePath?: string;
  readonly searchString?: string;
  /** Seconds. Route 53 accepts 10 or 30; the self-hosted target accepts 0.1 and up. */
  readonly requestInterval?: number;
  readonly failureThreshold?: number;
  readonly measureLatency?: boolean;
  readonly inverted?: boolean;
  /** API and Terraform only: CloudFormation has no such property. */
  readonly disabled?: boolean;
  readonly enableSni?: boolean;
  readonly regions?: readonly string[];
  /** Model ids of the child health checks (CALCULATED), or external Route 53 ids. */
  readonly childHealthChecks?: readonly string[];
  readonly healthThreshold?: number;
  readonly alarmIdentifier?: { readonly name: string; readonly region: string };
  readonly insufficientDataHealthStatus?: InsufficientDataHealthStatus;
  readonly routingControlArn?: string;
  /**
   * Self-hosted only (Route 53's are fixed): seconds to connect (Route 53: 4 for HTTP/HTTPS, 10 for TCP),
   * to receive the status line after connecting (2), and to receive the body after that (2).
   */
  readonly connectTimeout?: number;
  readonly statusTimeout?: number;
  readonly bodyTimeout?: number;
}

export interface HealthCheckModel {
  /**
   * Stable id of the health check inside one artifact: the construct path below the stack
   * (for example `Emdr/emdr-a/HealthCheck`), or the resource's own name when an artifact
   * was not written by this library.
   */
  readonly id: string;
  /** The `Name` tag Route 53's console shows. */
  readonly name?: string;
  readonly config: HealthCheckConfigModel;
}

/** `GeoLocation` of a geolocation record: a continent, or a country (and a subdivision of it), or the default `*`. */
export interface GeoLocationModel {
  readonly continentCode?: string;
  /** ISO 3166-1 alpha-2 (plus XK), or `*` for the default record. */
  readonly countryCode?: string;
  /** A subdivision of `countryCode` (the US states). */
  readonly subdivisionCode?: string;
}

/** `AliasTarget`: another record set of the zone, or an AWS resource. */
export interface AliasTargetModel {
  /** The name answered instead: a record name of the zone, or an AWS resource's DNS name. Without trailing dot. */
  readonly dnsName: string;
  /** The target's hosted zone id (the record's own zone for an alias inside the zone) ... */
  readonly hostedZoneId?: string;
  /** ... or, for a zone known by name, its name (the record's own zone). */
  readonly hostedZoneName?: string;
  readonly evaluateTargetHealth: boolean;
}

/** `CidrRoutingConfig` of an IP-based record: a location of a CIDR collection, or `*` (the default). */
export interface CidrRoutingConfigModel {
  /** The collection: the name of a `CidrCollectionModel` of the artifact, or a Route 53 collection id. */
  readonly collectionId: string;
  readonly locationName: string;
}

/** A CIDR collection (`AWS::Route53::CidrCollection`, `aws_route53_cidr_collection` + locations). */
export interface CidrCollectionModel {
  /** What records refer to: the collection's name (unique in an account, and written in every artifact). */
  readonly id: string;
  readonly name: string;
  readonly locations: readonly CidrLocationModel[];
}

export interface CidrLocationModel {
  readonly name: string;
  /** CIDR blocks, for example `203.0.113.0/24`, `2001:db8::/48`. */
  readonly cidrList: readonly string[];
}

/** One `ResourceRecordSet`. */
export interface RecordSetModel {
  /** Hosted zone by id (`HostedZoneId`) ... */
  readonly hostedZoneId?: string;
  /** ... or by name (`HostedZoneName`, or a Terraform `aws_route53_zone` lookup). Without trailing dot. */
  readonly hostedZoneName?: string;
  /** Fully qualified, lower case, without the trailing dot. */
  readonly name: string;
  readonly recordType: RecordType;
  /** Seconds. Required for non-alias records; alias records have none. */
  readonly ttl?: number;
  /** The values; empty for an alias record. */
  readonly values: readonly string[];
  readonly setIdentifier?: string;
  readonly weight?: number;
  readonly failover?: FailoverRole;
  readonly multiValueAnswer?: boolean;
  readonly geoLocation?: GeoLocationModel;
  /** Latency routing: the AWS region of the record's resource. */
  readonly region?: string;
  readonly cidrRoutingConfig?: CidrRoutingConfigModel;
  readonly aliasTarget?: AliasTargetModel;
  /** Model id of the guarding health check, or an external Route 53 health check id. */
  readonly healthCheckId?: string;
}

/** Everything one artifact (a stack, a Terraform stack, a bundle) says about DNS failover. */
export interface FailoverModel {
  readonly healthChecks: readonly HealthCheckModel[];
  readonly recordSets: readonly RecordSetModel[];
  /** The CIDR collections IP-based records use. @default none */
  readonly cidrCollections?: readonly CidrCollectionModel[];
}

export type RoutingPolicy = 'simple' | 'weighted' | 'failover' | 'multivalue' | 'geolocation' | 'latency' | 'ip-based';

/** The routing policy a record's fields give it (the first one set, when an invalid record sets several). */
export function routingPolicyOf(record: RecordSetModel): RoutingPolicy {
  if (record.weight !== undefined) return 'weighted';
  if (record.failover !== undefined) return 'failover';
  if (record.multiValueAnswer) return 'multivalue';
  if (record.geoLocation !== undefined) return 'geolocation';
  if (record.region !== undefined) return 'latency';
  if (record.cidrRoutingConfig !== undefined) return 'ip-based';
  return 'simple';
}

/** Every routing policy field a record sets (a valid record sets at most one). */
export function routingFieldsOf(record: RecordSetModel): string[] {
  return [
    record.weight !== undefined && 'weight',
    record.failover !== undefined && 'failover',
    record.multiValueAnswer && 'multiValueAnswer',
    record.geoLocation !== undefined && 'geoLocation',
    record.region !== undefined && 'region',
    record.cidrRoutingConfig !== undefined && 'cidrRoutingConfig',
  ].filter((x): x is string => typeof x === 'string');
}

/** The zone a record or alias target names: its hosted zone id, else its zone name. */
export function zoneKeyOf(x: { readonly hostedZoneId?: string; readonly hostedZoneName?: string }): string {
  return x.hostedZoneId !== undefined ? `id:${x.hostedZoneId}` : `name:${(x.hostedZoneName ?? '').toLowerCase().replace(/\.$/, '')}`;
}

/**
 * Whether an alias targets a record set of the record's own zone (a routing tree), rather than an AWS
 * resource: the target names the record's zone, by the same id, or by the same name.
 */
export function isAliasInZone(record: RecordSetModel): boolean {
  const t = record.aliasTarget;
  if (!t) return false;
  if (t.hostedZoneId !== undefined && record.hostedZoneId !== undefined) return t.hostedZoneId === record.hostedZoneId;
  if (t.hostedZoneName !== undefined && record.hostedZoneName !== undefined) {
    return zoneKeyOf({ hostedZoneName: t.hostedZoneName }) === zoneKeyOf({ hostedZoneName: record.hostedZoneName });
  }
  return false;
}
