import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import {
  assertValid,
  DEFAULT_ENABLE_SNI,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_PORTS,
  DEFAULT_REQUEST_INTERVAL_SECONDS,
  DEFAULT_RESOURCE_PATH,
  HEALTH_CHECK_METRIC,
  HealthCheckConfigModel,
  HealthCheckModel,
  HealthCheckType,
  healthThresholdOf,
  isUnresolved,
  stringMatchType,
  validateHealthCheck,
} from '../model';
import { findTarget, modelIdOf } from '../targets/target';

/** How an endpoint health check probes. */
export enum HealthCheckProtocol {
  /** HTTP request; a status from 200 to 399 is healthy. */
  HTTP = 'HTTP',
  /** HTTPS request (certificate not validated); a status from 200 to 399 is healthy. */
  HTTPS = 'HTTPS',
  /** TCP connection within 10 seconds. */
  TCP = 'TCP',
}

/** What a CloudWatch alarm health check reports while the alarm has too little data. */
export enum InsufficientDataHealthStatus {
  HEALTHY = 'Healthy',
  UNHEALTHY = 'Unhealthy',
  LAST_KNOWN_STATUS = 'LastKnownStatus',
}

/** The regions Route 53 health checkers run in. */
export class HealthCheckRegion {
  /** US East (N. Virginia). */
  public static readonly US_EAST_1 = 'us-east-1';
  /** US West (N. California). */
  public static readonly US_WEST_1 = 'us-west-1';
  /** US West (Oregon). */
  public static readonly US_WEST_2 = 'us-west-2';
  /** Europe (Ireland). */
  public static readonly EU_WEST_1 = 'eu-west-1';
  /** Asia Pacific (Singapore). */
  public static readonly AP_SOUTHEAST_1 = 'ap-southeast-1';
  /** Asia Pacific (Sydney). */
  public static readonly AP_SOUTHEAST_2 = 'ap-southeast-2';
  /** Asia Pacific (Tokyo). */
  public static readonly AP_NORTHEAST_1 = 'ap-northeast-1';
  /** South America (São Paulo). */
  public static readonly SA_EAST_1 = 'sa-east-1';

  private constructor() {}
}

/**
 * Probe deadlines. Route 53's are fixed (4 s to connect, 10 s for TCP, 2 s for the status line,
 * 2 s for the body); only the self-hosted target accepts others (100 ms and up), for tests and drills.
 */
export interface ProbeTimeouts {
  /**
   * Time to establish the TCP connection.
   * @default - 4 seconds for HTTP and HTTPS, 10 seconds for TCP (Route 53's)
   */
  readonly connect?: Duration;
  /**
   * Time from connecting to the HTTP status line.
   * @default Duration.seconds(2)
   */
  readonly status?: Duration;
  /**
   * Time from the status line to the end of the first 5,120 bytes of the body (string-match checks).
   * @default Duration.seconds(2)
   */
  readonly body?: Duration;
}

/**
 * How to probe an endpoint. Shared by a gateway's members, and overridable per endpoint.
 */
export interface HealthCheckOptions {
  /**
   * The protocol of the probe. With `searchString`, HTTP becomes HTTP_STR_MATCH and HTTPS becomes
   * HTTPS_STR_MATCH.
   * @default HealthCheckProtocol.HTTP
   */
  readonly protocol?: HealthCheckProtocol;

  /**
   * The port to probe.
   * @default 80 for HTTP, 443 for HTTPS; required for TCP
   */
  readonly port?: number;

  /**
   * The path (and query string) requested by HTTP and HTTPS probes. A missing leading `/` is added.
   * @default '/'
   */
  readonly resourcePath?: string;

  /**
   * A case-sensitive string that must appear in the first 5,120 bytes of the response body
   * (at most 255 characters).
   * @default - the status code alone decides
   */
  readonly searchString?: string;

  /**
   * The host name sent in the `Host` header (and as SNI for HTTPS). For an endpoint given by host name,
   * this is that host name; the probe then resolves it at every interval.
   * @default - the endpoint's host name, or none for an endpoint given by IP address
   */
  readonly fullyQualifiedDomainName?: string;

  /**
   * Probe this IP address instead of the endpoint's own.
   * @default - the endpoint's address
   */
  readonly ipAddress?: string;

  /**
   * Send the host name as SNI during the TLS handshake (HTTPS only).
   * @default true for HTTPS
   */
  readonly enableSni?: boolean;

  /**
   * Time from one checker's response to its next request. Route 53 accepts 10 or 30 seconds;
   * the self-hosted target accepts 100 milliseconds and up.
   * @default Duration.seconds(30)
   */
  readonly requestInterval?: Duration;

  /**
   * Probe deadlines (self-hosted target only).
   * @default - Route 53's fixed deadlines
   */
  readonly timeouts?: ProbeTimeouts;

  /**
   * Consecutive results needed to change a checker's view, in both directions (1..10).
   * @default 3
   */
  readonly failureThreshold?: number;

  /**
   * The checker regions (at least 3 for Route 53). Use the `HealthCheckRegion` constants for Route 53,
   * or the checker regions of a `SelfHostedStack`.
   * @default - all regions
   */
  readonly regions?: string[];

  /**
   * Record latency (Route 53 CloudWatch graphs). Create-only in Route 53.
   * @default false
   */
  readonly measureLatency?: boolean;

  /**
   * Report the opposite of what the checkers see.
   * @default false
   */
  readonly inverted?: boolean;

  /**
   * A disabled check always counts as healthy (disabled and inverted: always unhealthy, the way to force
   * a member out). Terraform and the self-hosted target only: CloudFormation cannot express it.
   * @default false
   */
  readonly disabled?: boolean;
}

/** Properties of a `HealthCheck`. */
export interface HealthCheckProps extends HealthCheckOptions {
  /**
   * Children of a calculated health check. Setting this makes the check CALCULATED.
   * @default - not a calculated check
   */
  readonly childHealthChecks?: IHealthCheck[];

  /**
   * How many children must be healthy for a calculated check to be healthy (0..256).
   * @default - all children
   */
  readonly healthThreshold?: number;

  /**
   * Name of the CloudWatch alarm to follow. Setting this makes the check CLOUDWATCH_METRIC
   * (Route 53 targets only).
   * @default - not an alarm check
   */
  readonly alarmName?: string;

  /**
   * Region of the CloudWatch alarm.
   * @default 'us-east-1'
   */
  readonly alarmRegion?: string;

  /**
   * Status of an alarm check while the alarm has insufficient data.
   * @default InsufficientDataHealthStatus.LAST_KNOWN_STATUS
   */
  readonly insufficientDataHealthStatus?: InsufficientDataHealthStatus;

  /**
   * The `Name` tag shown in the Route 53 console.
   * @default - the construct path
   */
  readonly healthCheckName?: string;
}

/** Options of an alarm on a health check's status. */
export interface UnhealthyAlarmOptions {
  /**
   * The alarm's name.
   * @default - generated by CloudFormation
   */
  readonly alarmName?: string;
  /**
   * Consecutive one-minute periods unhealthy before the alarm fires.
   * @default 1
   */
  readonly evaluationPeriods?: number;
}

/** A Route 53 health check, created here or elsewhere. */
export interface IHealthCheck extends IConstruct {
  /**
   * The health check's id, as the target refers to it (a token until deployment).
   * @attribute
   */
  readonly healthCheckId: string;

  /** The health check's `HealthCheckStatus` metric (1 healthy, 0 unhealthy; us-east-1). */
  metricHealthCheckStatus(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

abstract class HealthCheckBase extends Construct implements IHealthCheck {
  public abstract readonly healthCheckId: string;
  /** @internal the model id other model objects use to refer to this check */
  public abstract readonly _modelId: string;

  /**
   * The `HealthCheckStatus` metric of this check (1 healthy, 0 unhealthy).
   * @param props options of the metric (period, statistic, ...)
   */
  public metricHealthCheckStatus(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: HEALTH_CHECK_METRIC.namespace,
      metricName: HEALTH_CHECK_METRIC.metricName,
      dimensionsMap: { [HEALTH_CHECK_METRIC.dimension]: this.healthCheckId },
      statistic: cloudwatch.Stats.MINIMUM,
      period: Duration.minutes(1),
      ...props,
      // Route 53 publishes health check metrics in us-east-1 only.
      region: HEALTH_CHECK_METRIC.region,
    });
  }
}

/** The model id of any health check: ours, or an imported one. @internal */
export function healthCheckModelId(check: IHealthCheck): string {
  const id = (check as Partial<HealthCheckBase>)._modelId;
  return id ?? check.healthCheckId;
}

/**
 * A Route 53 health check: an HTTP, HTTPS or TCP probe of an endpoint, a calculated check over
 * children, or a check that follows a CloudWatch alarm. Rendered by the target of its stack.
 */
export class HealthCheck extends HealthCheckBase {
  /**
   * A health check that exists already, by its Route 53 id.
   * @param scope the construct the reference belongs to
   * @param id the construct id of the reference
   * @param healthCheckId the Route 53 health check id
   */
  public static fromHealthCheckId(scope: Construct, id: string, healthCheckId: string): IHealthCheck {
    class Imported extends HealthCheckBase {
      public readonly healthCheckId = healthCheckId;
      public readonly _modelId = healthCheckId;
    }
    return new Imported(scope, id);
  }

  public readonly healthCheckId: string;
  /** The Route 53 type of this check, for example `HTTP_STR_MATCH`. */
  public readonly healthCheckType: string;
  /** @internal */
  public readonly _modelId: string;
  /** @internal */
  public readonly _model: HealthCheckModel;

  /**
   * @param scope the construct this check belongs to, inside an aws-cdk-lib `Stack`, a cdktf
   * `TerraformStack` or a `SelfHostedStack`
   * @param id the construct id (part of the check's logical id)
   * @param props what to probe and how
   */
  constructor(scope: Construct, id: string, props: HealthCheckProps = {}) {
    super(scope, id);
    const target = findTarget(this);
    this._modelId = modelIdOf(target, this);
    this._model = {
      id: this._modelId,
      name: props.healthCheckName,
      config: healthCheckConfig(props),
    };
    this.healthCheckType = this._model.config.type;
    assertValid(validateHealthCheck(this._model, target.capabilities));
    this.healthCheckId = target.renderHealthCheck(this, this._model);
  }

  /**
   * An alarm that fires when this check is unhealthy (aws-cdk-lib stacks only; the alarm lives in the
   * stack's region, so put it in a us-east-1 stack where Route 53 publishes the metric).
   * @param id the construct id of the alarm
   * @param options the alarm's name, evaluation periods and missing-data treatment
   */
  public addUnhealthyAlarm(id: string, options: UnhealthyAlarmOptions = {}): IConstruct {
    const target = findTarget(this);
    if (!target.createUnhealthyAlarm) {
      throw new Error(`${target.capabilities.name} has no CloudWatch alarms in this library; create the alarm with your provider (metric AWS/Route53 HealthCheckStatus, dimension HealthCheckId)`);
    }
    return target.createUnhealthyAlarm(this, id, {
      metric: this.metricHealthCheckStatus(),
      alarmName: options.alarmName,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      description: `Route 53 health check ${this._model.name ?? this._modelId} is unhealthy`,
    });
  }
}

function withLeadingSlash(path: string | undefined): string | undefined {
  if (path === undefined || isUnresolved(path) || path.startsWith('/')) return path;
  return `/${path}`;
}

/** Route 53 HealthCheckConfig from construct props, with the defaults written out. @internal */
export function healthCheckConfig(props: HealthCheckProps): HealthCheckConfigModel {
  const calculated = props.childHealthChecks !== undefined;
  const alarm = props.alarmName !== undefined;
  const endpointFields = [
    'protocol', 'port', 'resourcePath', 'searchString', 'fullyQualifiedDomainName', 'ipAddress',
    'enableSni', 'requestInterval', 'failureThreshold', 'regions', 'measureLatency', 'timeouts',
  ] as const;
  const setEndpointFields = endpointFields.filter((k) => props[k] !== undefined);

  if (calculated && alarm) {
    throw new Error('a health check is either calculated (childHealthChecks) or follows an alarm (alarmName), not both; split it into two checks');
  }
  if ((calculated || alarm) && setEndpointFields.length > 0) {
    throw new Error(`${calculated ? 'a calculated' : 'an alarm'} health check probes no endpoint, but ${setEndpointFields.join(', ')} ${setEndpointFields.length > 1 ? 'are' : 'is'} set; remove ${setEndpointFields.length > 1 ? 'them' : 'it'}`);
  }
  if (!calculated && props.healthThreshold !== undefined) {
    throw new Error(`healthThreshold ${props.healthThreshold} is set but the check has no childHealthChecks; give the children, or remove healthThreshold`);
  }
  if (!alarm && (props.alarmRegion !== undefined || props.insufficientDataHealthStatus !== undefined)) {
    throw new Error('alarmRegion / insufficientDataHealthStatus are set but alarmName is not; give the alarm\'s name');
  }
  const common = {
    inverted: props.inverted || undefined,
    disabled: props.disabled || undefined,
  };
  if (calculated) {
    const children = props.childHealthChecks!.map(healthCheckModelId);
    // Written out, always: Route 53 documents no default; "all children" is the one meaning of a missing
    // threshold everywhere in this library (the model's `healthThresholdOf`).
    return { type: 'CALCULATED', childHealthChecks: children, healthThreshold: props.healthThreshold ?? healthThresholdOf({ childHealthChecks: children }), ...common };
  }
  if (alarm) {
    return {
      type: 'CLOUDWATCH_METRIC',
      alarmIdentifier: { name: props.alarmName!, region: props.alarmRegion ?? 'us-east-1' },
      insufficientDataHealthStatus: props.insufficientDataHealthStatus ?? InsufficientDataHealthStatus.LAST_KNOWN_STATUS,
      ...common,
    };
  }
  const protocol = props.protocol ?? HealthCheckProtocol.HTTP;
  const http = protocol !== HealthCheckProtocol.TCP;
  let type: HealthCheckType = protocol;
  if (props.searchString !== undefined) {
    if (!http) throw new Error(`searchString '${props.searchString}' needs an HTTP or HTTPS check, the protocol is TCP; remove searchString or use HTTP/HTTPS`);
    type = stringMatchType(protocol);
  }
  const defaultPort = protocol === HealthCheckProtocol.TCP ? undefined : DEFAULT_PORTS[protocol];
  return {
    type,
    ipAddress: props.ipAddress,
    fullyQualifiedDomainName: props.fullyQualifiedDomainName,
    port: props.port ?? defaultPort,
    resourcePath: http ? withLeadingSlash(props.resourcePath ?? DEFAULT_RESOURCE_PATH) : props.resourcePath,
    searchString: props.searchString,
    requestInterval: seconds(props.requestInterval) ?? DEFAULT_REQUEST_INTERVAL_SECONDS,
    failureThreshold: props.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD,
    measureLatency: props.measureLatency || undefined,
    enableSni: protocol === HealthCheckProtocol.HTTPS ? (props.enableSni ?? DEFAULT_ENABLE_SNI) : props.enableSni,
    regions: props.regions,
    connectTimeout: seconds(props.timeouts?.connect),
    statusTimeout: seconds(props.timeouts?.status),
    bodyTimeout: seconds(props.timeouts?.body),
    ...common,
  };
}

function seconds(duration: Duration | undefined): number | undefined {
  return duration === undefined ? undefined : duration.toMilliseconds() / 1000;
}
