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

/** One `ResourceRecordSet`. */
export interface RecordSetModel {
  /** Hosted zone by id (`HostedZoneId`) ... */
  readonly hostedZoneId?: string;
  /** ... or by name (`HostedZoneName`, or a Terraform `aws_route53_zone` lookup). Without trailing dot. */
  readonly hostedZoneName?: string;
  /** Fully qualified, lower case, without the trailing dot. */
  readonly name: string;
  readonly recordType: RecordType;
  /** Seconds. Required for non-alias records. */
  readonly ttl?: number;
  readonly values: readonly string[];
  readonly setIdentifier?: string;
  readonly weight?: number;
  readonly failover?: FailoverRole;
  readonly multiValueAnswer?: boolean;
  /** Model id of the guarding health check, or an external Route 53 health check id. */
  readonly healthCheckId?: string;
}

/** Everything one artifact (a stack, a Terraform stack, a bundle) says about DNS failover. */
export interface FailoverModel {
  readonly healthChecks: readonly HealthCheckModel[];
  readonly recordSets: readonly RecordSetModel[];
}

export type RoutingPolicy = 'simple' | 'weighted' | 'failover' | 'multivalue';

export function routingPolicyOf(record: RecordSetModel): RoutingPolicy {
  if (record.weight !== undefined) return 'weighted';
  if (record.failover !== undefined) return 'failover';
  if (record.multiValueAnswer) return 'multivalue';
  return 'simple';
}
