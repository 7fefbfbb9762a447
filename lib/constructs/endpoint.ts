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
   * @default - give hostName instead
   */
  readonly ipAddress?: string;

  /**
   * The endpoint's host name (the record becomes a CNAME; the health check resolves it at every interval).
   * @default - give ipAddress instead
   */
  readonly hostName?: string;

  /**
   * How this endpoint is health checked.
   * @default EndpointHealthCheck.withOptions() - its own check with the gateway's settings
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
