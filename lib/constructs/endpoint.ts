import type { IAliasRecordTarget } from 'aws-cdk-lib/aws-route53';
import type { GatewayBase } from './gateway';
import { HealthCheckOptions, IHealthCheck } from './health-check';

/**
 * How one endpoint of a gateway is health checked.
 */
export abstract class EndpointHealthCheck {
  /**
   * The endpoint gets its own health check on its own address, with these settings over the gateway's
   * shared ones (this is what happens when an endpoint says nothing).
   * @param options the settings that differ from the gateway's `healthCheck`
   */
  public static withOptions(options: HealthCheckOptions = {}): EndpointHealthCheck {
    return new OwnCheck(options);
  }

  /**
   * The endpoint is guarded by an existing health check (for example a calculated one).
   * @param check the health check, a `HealthCheck` of the app or `HealthCheck.fromHealthCheckId`
   */
  public static fromHealthCheck(check: IHealthCheck): EndpointHealthCheck {
    return new ExistingCheck(check);
  }

  /**
   * The endpoint has no health check: Route 53 always counts it as healthy. A warning says so at synth.
   */
  public static none(): EndpointHealthCheck {
    return new NoCheck();
  }

  /** @internal */
  public abstract readonly _kind: 'own' | 'existing' | 'none';
  /** @internal */
  public readonly _options?: HealthCheckOptions;
  /** @internal */
  public readonly _check?: IHealthCheck;
}

class OwnCheck extends EndpointHealthCheck {
  public readonly _kind = 'own';
  constructor(public readonly _options: HealthCheckOptions) {
    super();
  }
}

class ExistingCheck extends EndpointHealthCheck {
  public readonly _kind = 'existing';
  constructor(public readonly _check: IHealthCheck) {
    super();
  }
}

class NoCheck extends EndpointHealthCheck {
  public readonly _kind = 'none';
}

/** Options of a member that is an alias (another gateway, or an AWS resource). */
export interface AliasMemberOptions {
  /**
   * Whether the member counts as healthy only while its target does: for another gateway, while at
   * least one of its members is healthy (Route 53's EvaluateTargetHealth). With false, Route 53 keeps
   * answering from the target even when everything in it fails.
   * @default true for a gateway; for an AWS resource, what its alias target says, else false
   */
  readonly evaluateTargetHealth?: boolean;
}

/**
 * What a member answers with when it is not an address or a host name: another gateway of the same
 * zone and record type (a routing tree), or an AWS resource (Route 53 targets only). Rendered as an
 * alias record.
 */
export abstract class GatewayTarget {
  /**
   * Another gateway of the same zone and record type: queries are answered by that gateway's own
   * routing (for example a weighted group per region under a latency gateway). A gateway without a
   * `recordName` gets `<member name>.<this gateway's name>`.
   */
  public static gateway(gateway: GatewayBase, options: AliasMemberOptions = {}): GatewayTarget {
    return new GatewayAlias(gateway, options);
  }

  /**
   * An aws-cdk-lib alias target (a load balancer, a CloudFront distribution, an S3 website, an API):
   * aws-cdk-lib stacks only.
   */
  public static awsResource(target: IAliasRecordTarget, options: AliasMemberOptions = {}): GatewayTarget {
    return new AwsAlias(options, target);
  }

  /**
   * An AWS resource by its DNS name and hosted zone id (as Terraform and the AWS console name it),
   * for example a load balancer's `dns_name` and `zone_id`. Route 53 targets only.
   */
  public static aliasTarget(dnsName: string, hostedZoneId: string, options: AliasMemberOptions = {}): GatewayTarget {
    return new AwsAlias(options, undefined, dnsName, hostedZoneId);
  }

  /** @internal */
  public abstract readonly _kind: 'gateway' | 'aws';
  /** @internal */
  public readonly _options: AliasMemberOptions = {};
  /** @internal */
  public readonly _gateway?: GatewayBase;
  /** @internal */
  public readonly _aliasTarget?: IAliasRecordTarget;
  /** @internal */
  public readonly _dnsName?: string;
  /** @internal */
  public readonly _hostedZoneId?: string;
}

class GatewayAlias extends GatewayTarget {
  public readonly _kind = 'gateway';
  constructor(public readonly _gateway: GatewayBase, public readonly _options: AliasMemberOptions) {
    super();
  }
}

class AwsAlias extends GatewayTarget {
  public readonly _kind = 'aws';
  constructor(
    public readonly _options: AliasMemberOptions,
    public readonly _aliasTarget?: IAliasRecordTarget,
    public readonly _dnsName?: string,
    public readonly _hostedZoneId?: string,
  ) {
    super();
  }
}

/** One member of a gateway. */
export interface GatewayEndpoint {
  /**
   * The endpoint's name: unique in the gateway, 1..128 characters of letters, digits, `.`, `_`, `-`.
   * It becomes the record's set identifier and part of the logical ids, so renaming an endpoint
   * replaces its resources and reweighting or reordering does not.
   */
  readonly name: string;

  /**
   * The endpoint's IPv4 or IPv6 address (the record becomes A or AAAA).
   * @default - give hostName or target instead
   */
  readonly ipAddress?: string;

  /**
   * The endpoint's host name (the record becomes a CNAME; the health check resolves it at every interval).
   * @default - give ipAddress or target instead
   */
  readonly hostName?: string;

  /**
   * Another gateway, or an AWS resource, that answers for this member (an alias record).
   * @default - give ipAddress or hostName instead
   */
  readonly target?: GatewayTarget;

  /**
   * How this endpoint is health checked.
   * @default EndpointHealthCheck.withOptions() - its own check with the gateway's settings; none for a `target` (its health comes from the target)
   */
  readonly healthCheck?: EndpointHealthCheck;
}

/** A member of a weighted gateway. */
export interface WeightedEndpoint extends GatewayEndpoint {
  /**
   * Relative weight, 0..255. Weight 0 keeps the endpoint as a standby that answers only when every
   * endpoint with a non-zero weight is unhealthy.
   * @default 1
   */
  readonly weight?: number;
}
