import { isIPv4, isIPv6 } from 'net';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  assertValid,
  failoverWarnings,
  groupRecords,
  isUnresolved,
  qualifyName,
  RECOMMENDED_MAX_TTL_SECONDS,
  RecordSetModel,
  RecordType,
  validateGroup,
  validateRecordSet,
} from '../model';
import { EndpointHealthCheck, GatewayEndpoint } from './endpoint';
import { HealthCheck, healthCheckModelId, HealthCheckOptions, HealthCheckProtocol, IHealthCheck } from './health-check';
import { GatewayZone } from './zone';
import { FailoverTarget, findTarget } from '../targets/target';

/** The record type a gateway answers with. */
export enum GatewayRecordType {
  /** IPv4 addresses. */
  A = 'A',
  /** IPv6 addresses. */
  AAAA = 'AAAA',
  /** Host names (not for multivalue gateways). */
  CNAME = 'CNAME',
}

/** Properties every gateway shares. */
export interface GatewayBaseProps {
  /** The hosted zone of the record. */
  readonly zone: GatewayZone;

  /**
   * The record name: relative to the zone (`api`), the apex (`@`), or fully qualified (`api.example.com`).
   */
  readonly recordName: string;

  /**
   * The record's TTL. Clients keep an answer this long after a failover, so keep it short.
   * @default Duration.seconds(60) - Route 53's recommendation with health checks (aws-cdk-lib's 1800 s defeats failover)
   */
  readonly ttl?: Duration;

  /**
   * Health check settings shared by the endpoints (each endpoint may override them).
   * @default - HTTP on port 80, path '/', every 30 s, failure threshold 3, all regions
   */
  readonly healthCheck?: HealthCheckOptions;

  /**
   * The record type.
   * @default - A for IPv4 endpoints, AAAA for IPv6 endpoints, CNAME for host names
   */
  readonly recordType?: GatewayRecordType;

  /**
   * Create a CloudWatch alarm on each member's health check (aws-cdk-lib stacks only).
   * @default false
   */
  readonly alarmOnUnhealthy?: boolean;
}

/** The routing fields of one member's record. @internal */
export interface MemberRouting {
  readonly weight?: number;
  readonly failover?: 'PRIMARY' | 'SECONDARY';
  readonly multiValueAnswer?: boolean;
}

const ENDPOINT_NAME = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * A DNS name in front of several endpoints, each guarded by a health check. The routing policy is
 * chosen by the subclass.
 */
export abstract class GatewayBase extends Construct {
  /** The fully qualified record name (no trailing dot). */
  public readonly recordName: string;
  /** The record type (A, AAAA or CNAME). */
  public readonly recordType: string;
  /** The TTL of the records, in seconds. */
  public readonly ttlSeconds: number;
  /** The endpoint names, in the order given. */
  public readonly endpointNames: string[] = [];
  /** The health checks this gateway created, in endpoint order. */
  public readonly healthChecks: HealthCheck[] = [];

  private readonly checksByEndpoint = new Map<string, IHealthCheck>();
  private readonly target: FailoverTarget;
  private readonly props: GatewayBaseProps;

  /**
   * @param scope the construct this gateway belongs to, inside an aws-cdk-lib `Stack`, a cdktf
   * `TerraformStack` or a `SelfHostedStack`
   * @param id the construct id (part of every logical id of the gateway's resources)
   * @param props the zone, record name and shared health check settings
   */
  protected constructor(scope: Construct, id: string, props: GatewayBaseProps) {
    super(scope, id);
    this.props = props;
    this.target = findTarget(this);
    this.recordName = qualifyName(props.recordName, props.zone.zoneName);
    this.ttlSeconds = props.ttl ? props.ttl.toSeconds() : RECOMMENDED_MAX_TTL_SECONDS;
    this.recordType = props.recordType ?? 'A';
  }

  /**
   * The health check guarding an endpoint. Fails when the endpoint has none.
   * @param endpointName the endpoint's name
   */
  public healthCheckFor(endpointName: string): IHealthCheck {
    const check = this.checksByEndpoint.get(endpointName);
    if (!check) {
      const known = this.endpointNames.join(', ');
      throw new Error(this.endpointNames.includes(endpointName)
        ? `endpoint '${endpointName}' has no health check (EndpointHealthCheck.none())`
        : `no endpoint named '${endpointName}' in this gateway; its endpoints are ${known}`);
    }
    return check;
  }

  /**
   * The `HealthCheckStatus` metric of an endpoint's health check (1 healthy, 0 unhealthy).
   * @param endpointName the endpoint's name
   * @param props options of the metric (period, statistic, ...)
   */
  public metricHealthCheckStatus(endpointName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.healthCheckFor(endpointName).metricHealthCheckStatus(props);
  }

  /**
   * Builds, validates and renders the members. Subclasses call this once from their constructor.
   * @internal
   */
  protected _addMembers(members: Array<{ endpoint: GatewayEndpoint; routing: MemberRouting }>): void {
    const props = this.props;
    const seen = new Set<string>();
    for (const { endpoint } of members) {
      if (!ENDPOINT_NAME.test(endpoint.name)) {
        throw new Error(`endpoint name '${endpoint.name}' is not valid; use 1 to 128 letters, digits, '.', '_' or '-' (it becomes the set identifier)`);
      }
      if (seen.has(endpoint.name)) {
        throw new Error(`duplicate endpoint name '${endpoint.name}' in gateway '${this.node.path}'; give each endpoint a unique name (it becomes the record's set identifier)`);
      }
      seen.add(endpoint.name);
      if ((endpoint.ipAddress === undefined) === (endpoint.hostName === undefined)) {
        throw new Error(`endpoint '${endpoint.name}' needs exactly one of ipAddress and hostName, ${endpoint.ipAddress === undefined ? 'got neither' : 'got both'}`);
      }
    }
    const recordType = props.recordType ?? inferRecordType(members.map((m) => m.endpoint));
    (this as { recordType: string }).recordType = recordType;

    const records: RecordSetModel[] = [];
    const scopes: Construct[] = [];
    for (const { endpoint, routing } of members) {
      const scope = new Construct(this, endpoint.name);
      const check = this.endpointCheck(scope, endpoint);
      if (check) this.checksByEndpoint.set(endpoint.name, check);
      this.endpointNames.push(endpoint.name);
      records.push({
        ...(props.zone.hostedZoneId !== undefined ? { hostedZoneId: props.zone.hostedZoneId } : { hostedZoneName: props.zone.zoneName }),
        name: this.recordName,
        recordType: recordType as RecordType,
        ttl: this.ttlSeconds,
        values: [endpoint.ipAddress ?? endpoint.hostName!],
        setIdentifier: endpoint.name,
        ...routing,
        healthCheckId: check ? healthCheckModelId(check) : undefined,
      });
      scopes.push(scope);
    }

    const findings = records.flatMap(validateRecordSet);
    for (const group of groupRecords(records)) findings.push(...validateGroup(group), ...failoverWarnings(group));
    assertValid(findings, `gateway '${this.node.path}'`);
    this.target.report(this, findings);

    records.forEach((record, i) => this.target.renderRecordSet(new Construct(scopes[i], 'Record'), record));
  }

  private endpointCheck(scope: Construct, endpoint: GatewayEndpoint): IHealthCheck | undefined {
    const spec = endpoint.healthCheck ?? EndpointHealthCheck.withOptions();
    if (spec._kind === 'none') return undefined;
    if (spec._kind === 'existing') return spec._check!;
    const options = mergeCheckOptions(this.props.healthCheck ?? {}, spec._options ?? {});
    const check = new HealthCheck(scope, 'HealthCheck', {
      ...options,
      ipAddress: options.ipAddress ?? endpoint.ipAddress,
      fullyQualifiedDomainName: options.fullyQualifiedDomainName ?? endpoint.hostName,
      healthCheckName: `${this.recordName} ${endpoint.name}`,
    });
    this.healthChecks.push(check);
    if (this.props.alarmOnUnhealthy) check.addUnhealthyAlarm('UnhealthyAlarm');
    return check;
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * An endpoint's settings over the gateway's shared ones. When the endpoint changes the protocol, shared
 * settings the new protocol cannot use (an HTTP path on a TCP check, SNI on plain HTTP) are left out;
 * the endpoint's own settings are kept as given, so a real conflict still fails validation.
 */
function mergeCheckOptions(shared: HealthCheckOptions, own: HealthCheckOptions): HealthCheckOptions {
  const protocol = own.protocol ?? shared.protocol ?? HealthCheckProtocol.HTTP;
  const inherited: Record<string, unknown> = { ...shared };
  if (own.protocol !== undefined && own.protocol !== shared.protocol) {
    const drop: Array<keyof HealthCheckOptions> = protocol === HealthCheckProtocol.TCP
      ? ['resourcePath', 'searchString', 'enableSni']
      : protocol === HealthCheckProtocol.HTTP ? ['enableSni'] : [];
    for (const key of drop) delete inherited[key];
    if (protocol === HealthCheckProtocol.TCP && shared.timeouts) {
      // A TCP check only connects: the status and body deadlines do not apply.
      inherited.timeouts = { connect: shared.timeouts.connect };
    }
  }
  return { ...(inherited as HealthCheckOptions), ...definedOnly(own) };
}

function inferRecordType(endpoints: GatewayEndpoint[]): string {
  const kinds = new Set<string>();
  for (const e of endpoints) {
    if (e.hostName !== undefined) kinds.add('CNAME');
    else if (isUnresolved(e.ipAddress)) kinds.add('A');
    else if (isIPv4(e.ipAddress!)) kinds.add('A');
    else if (isIPv6(e.ipAddress!)) kinds.add('AAAA');
    else throw new Error(`endpoint '${e.name}': ipAddress '${e.ipAddress}' is not an IPv4 or IPv6 address; give an address, or use hostName for a host name`);
  }
  if (kinds.size > 1) {
    const byKind = (k: string) => endpoints.filter((e) => (k === 'CNAME' ? e.hostName !== undefined : e.ipAddress !== undefined && (k === 'A' ? !isIPv6(e.ipAddress) : isIPv6(e.ipAddress)))).map((e) => e.name);
    throw new Error(`the endpoints mix record types (${[...kinds].map((k) => `${k}: ${byKind(k).join(', ')}`).join('; ')}); a gateway answers with one record type, so make one gateway per type`);
  }
  return [...kinds][0] ?? 'A';
}
