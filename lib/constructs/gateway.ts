import { isIPv4, isIPv6 } from 'net';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  AliasTargetModel,
  assertValid,
  CidrRoutingConfigModel,
  failoverWarnings,
  GeoLocationModel,
  groupRecords,
  isUnresolved,
  normalizeName,
  qualifyName,
  RECOMMENDED_MAX_TTL_SECONDS,
  RecordSetModel,
  RecordType,
  validateGroup,
  validateRecordSet,
} from '../model';
import { EndpointHealthCheck, GatewayEndpoint, GatewayTarget } from './endpoint';
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
   * @default - for a gateway used as a member of another (`GatewayTarget.gateway`), `<member name>.<that gateway's name>`; any other gateway needs one
   */
  readonly recordName?: string;

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
   * @default - A for IPv4 endpoints, AAAA for IPv6 endpoints, CNAME for host names, the type of member gateways
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
  readonly geoLocation?: GeoLocationModel;
  readonly region?: string;
  readonly cidrRoutingConfig?: CidrRoutingConfigModel;
}

/** A member as a subclass hands it over. @internal */
export interface GatewayMemberSpec {
  readonly endpoint: GatewayEndpoint;
  readonly routing: MemberRouting;
}

const ENDPOINT_NAME = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * A DNS name in front of several endpoints, each guarded by a health check. The routing policy is
 * chosen by the subclass. A member may also be another gateway (a routing tree) or an AWS resource.
 */
export abstract class GatewayBase extends Construct {
  /** The record type (A, AAAA or CNAME). */
  public readonly recordType: string;
  /** The TTL of the records, in seconds (an alias member has none: its target's TTL applies). */
  public readonly ttlSeconds: number;
  /** The endpoint names, in the order given. */
  public readonly endpointNames: string[] = [];
  /** The health checks this gateway created, in endpoint order. */
  public readonly healthChecks: HealthCheck[] = [];
  /** The zone of the records. */
  public readonly zone: GatewayZone;

  private readonly checksByEndpoint = new Map<string, IHealthCheck>();
  private readonly target: FailoverTarget;
  private readonly props: GatewayBaseProps;
  private name?: string;
  private members?: readonly GatewayMemberSpec[];
  private rendered = false;

  /**
   * @param scope the construct this gateway belongs to, inside an aws-cdk-lib `Stack`, a cdktf
   * `TerraformStack` or a `SelfHostedStack`
   * @param id the construct id (part of every logical id of the gateway's resources)
   * @param props the zone, record name and shared health check settings
   */
  protected constructor(scope: Construct, id: string, props: GatewayBaseProps) {
    super(scope, id);
    this.props = props;
    this.zone = props.zone;
    this.target = findTarget(this);
    if (props.recordName !== undefined) this.name = qualifyName(props.recordName, props.zone.zoneName);
    this.ttlSeconds = props.ttl ? props.ttl.toSeconds() : RECOMMENDED_MAX_TTL_SECONDS;
    this.recordType = props.recordType ?? 'A';
    this.node.addValidation({
      validate: () => (this.name === undefined
        ? [`gateway '${this.node.path}' has no recordName and is no member of another gateway; give it a recordName, or make it a member (GatewayTarget.gateway)`]
        : []),
    });
  }

  /** The fully qualified record name (no trailing dot). Fails for a member gateway whose name is not known yet. */
  public get recordName(): string {
    if (this.name === undefined) {
      throw new Error(`gateway '${this.node.path}' has no recordName yet: it gets one when it becomes a member of another gateway, or give it a recordName`);
    }
    return this.name;
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
        ? `endpoint '${endpointName}' has no health check (EndpointHealthCheck.none(), or a target without one)`
        : `no endpoint named '${endpointName}' in this gateway; its endpoints are ${known || 'not rendered yet (the gateway has no recordName yet)'}`);
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
   * Checks the members and renders them once the gateway has a name (at once, or when it becomes a
   * member of another gateway). Subclasses call this once from their constructor.
   * @internal
   */
  protected _addMembers(members: GatewayMemberSpec[]): void {
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
      const given = [endpoint.ipAddress !== undefined && 'ipAddress', endpoint.hostName !== undefined && 'hostName', endpoint.target !== undefined && 'target'].filter(Boolean);
      if (given.length !== 1) {
        throw new Error(`endpoint '${endpoint.name}' needs exactly one of ipAddress, hostName and target, ${given.length === 0 ? 'got none' : `got ${given.join(' and ')}`}`);
      }
      const child = endpoint.target?._gateway;
      if (child) this.checkChild(endpoint.name, child);
    }
    const recordType = props.recordType ?? inferRecordType(members.map((m) => m.endpoint));
    (this as { recordType: string }).recordType = recordType;
    for (const { endpoint } of members) {
      const child = endpoint.target?._gateway;
      if (child && child.recordType !== recordType) {
        throw new Error(`member '${endpoint.name}' is gateway '${child.node.path}', which answers ${child.recordType}, but this gateway answers ${recordType}; an alias answers for its own record type: make one gateway per type`);
      }
    }
    this.members = members;
    if (this.name !== undefined) this.render();
  }

  /** Gives a member gateway without a recordName its name, and renders it. @internal */
  public _nameAsMember(name: string): void {
    if (this.name !== undefined) return;
    this.name = normalizeName(name);
    if (this.members) this.render();
  }

  private checkChild(memberName: string, child: GatewayBase): void {
    const zone = this.props.zone;
    if (child === this) throw new Error(`member '${memberName}' of gateway '${this.node.path}' is the gateway itself; an alias to itself would loop`);
    if (child.zone.zoneName !== zone.zoneName || child.zone.hostedZoneId !== zone.hostedZoneId) {
      throw new Error(`member '${memberName}' is gateway '${child.node.path}' of zone ${child.zone.zoneName}, but this gateway is in zone ${zone.zoneName}; an alias points at records of its own zone, so put both gateways in one zone`);
    }
  }

  private render(): void {
    if (this.rendered || this.members === undefined) return;
    this.rendered = true;
    const props = this.props;
    const zone = props.zone.hostedZoneId !== undefined ? { hostedZoneId: props.zone.hostedZoneId } : { hostedZoneName: props.zone.zoneName };
    const records: RecordSetModel[] = [];
    const scopes: Construct[] = [];
    for (const { endpoint, routing } of this.members) {
      const scope = new Construct(this, endpoint.name);
      const target = endpoint.target;
      const child = target?._gateway;
      if (child) child._nameAsMember(`${endpoint.name.toLowerCase()}.${this.recordName}`);
      const check = this.endpointCheck(scope, endpoint);
      if (check) this.checksByEndpoint.set(endpoint.name, check);
      this.endpointNames.push(endpoint.name);
      const base = {
        ...zone,
        name: this.recordName,
        recordType: this.recordType as RecordType,
        setIdentifier: endpoint.name,
        ...routing,
        healthCheckId: check ? healthCheckModelId(check) : undefined,
      };
      if (target) {
        records.push({ ...base, values: [], aliasTarget: this.aliasTargetOf(scope, target, zone) });
      } else {
        records.push({ ...base, ttl: this.ttlSeconds, values: [endpoint.ipAddress ?? endpoint.hostName!] });
      }
      scopes.push(scope);
    }

    const findings = records.flatMap((r) => validateRecordSet(r, this.target.capabilities));
    for (const group of groupRecords(records)) findings.push(...validateGroup(group), ...failoverWarnings(group));
    assertValid(findings, `gateway '${this.node.path}'`);
    this.target.report(this, findings);

    records.forEach((record, i) => this.target.renderRecordSet(new Construct(scopes[i], 'Record'), record));
  }

  private aliasTargetOf(scope: Construct, target: GatewayTarget, zone: { hostedZoneId?: string; hostedZoneName?: string }): AliasTargetModel {
    const child = target._gateway;
    if (child) {
      return { dnsName: child.recordName, ...zone, evaluateTargetHealth: target._options.evaluateTargetHealth ?? true };
    }
    if (target._aliasTarget) {
      if (!this.target.resolveAliasTarget) {
        throw new Error(`${this.target.capabilities.name} cannot use an aws-cdk-lib alias target (GatewayTarget.awsResource); give the resource's DNS name and hosted zone id with GatewayTarget.aliasTarget(dnsName, hostedZoneId)`);
      }
      const config = this.target.resolveAliasTarget(scope, target._aliasTarget, this.recordName);
      const evaluateTargetHealth = target._options.evaluateTargetHealth ?? config.evaluateTargetHealth ?? false;
      return { dnsName: config.dnsName, hostedZoneId: config.hostedZoneId, evaluateTargetHealth };
    }
    return { dnsName: target._dnsName!, hostedZoneId: target._hostedZoneId!, evaluateTargetHealth: target._options.evaluateTargetHealth ?? false };
  }

  private endpointCheck(scope: Construct, endpoint: GatewayEndpoint): IHealthCheck | undefined {
    // A member with a target takes its health from the target: no check of its own unless given one.
    const spec = endpoint.healthCheck ?? (endpoint.target ? EndpointHealthCheck.none() : EndpointHealthCheck.withOptions());
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
  const kindOf = (e: GatewayEndpoint): string => {
    if (e.target?._gateway) return e.target._gateway.recordType;
    if (e.target) return 'A'; // an AWS resource: A unless the gateway says otherwise (recordType)
    if (e.hostName !== undefined) return 'CNAME';
    if (isUnresolved(e.ipAddress) || isIPv4(e.ipAddress!)) return 'A';
    if (isIPv6(e.ipAddress!)) return 'AAAA';
    throw new Error(`endpoint '${e.name}': ipAddress '${e.ipAddress}' is not an IPv4 or IPv6 address; give an address, or use hostName for a host name`);
  };
  for (const e of endpoints) kinds.add(kindOf(e));
  if (kinds.size > 1) {
    const byKind = (k: string) => endpoints.filter((e) => kindOf(e) === k).map((e) => e.name);
    throw new Error(`the endpoints mix record types (${[...kinds].map((k) => `${k}: ${byKind(k).join(', ')}`).join('; ')}); a gateway answers with one record type, so make one gateway per type`);
  }
  return [...kinds][0] ?? 'A';
}
