import { Construct } from 'constructs';
import { GatewayEndpoint, WeightedEndpoint } from './endpoint';
import { GatewayBase, GatewayBaseProps } from './gateway';

/** Properties of a `WeightedFailoverGateway`. */
export interface WeightedFailoverGatewayProps extends GatewayBaseProps {
  /** The members; at most 100. */
  readonly endpoints: WeightedEndpoint[];
}

/**
 * Weighted routing with health checks: each healthy endpoint gets a share of the answers in proportion
 * to its weight; an unhealthy one leaves the set; when none is healthy, all answer again (last resort).
 */
export class WeightedFailoverGateway extends GatewayBase {
  /**
   * @param scope the construct this gateway belongs to, inside an aws-cdk-lib `Stack`, a cdktf
   * `TerraformStack` or a `SelfHostedStack`
   * @param id the construct id (part of every logical id of the gateway's resources)
   * @param props the zone, record name, shared health check settings and weighted endpoints
   */
  constructor(scope: Construct, id: string, props: WeightedFailoverGatewayProps) {
    super(scope, id, props);
    this._addMembers(props.endpoints.map((endpoint) => ({ endpoint, routing: { weight: endpoint.weight ?? 1 } })));
  }
}

/** Properties of an `ActivePassiveGateway`. */
export interface ActivePassiveGatewayProps extends GatewayBaseProps {
  /** Answers while healthy (and when both are unhealthy). */
  readonly primary: GatewayEndpoint;
  /** Answers while the primary is unhealthy. */
  readonly secondary: GatewayEndpoint;
}

/**
 * Failover routing: the primary answers while it is healthy; the secondary while the primary is not;
 * the primary again when both are unhealthy.
 */
export class ActivePassiveGateway extends GatewayBase {
  /**
   * @param scope the construct this gateway belongs to, inside an aws-cdk-lib `Stack`, a cdktf
   * `TerraformStack` or a `SelfHostedStack`
   * @param id the construct id (part of every logical id of the gateway's resources)
   * @param props the zone, record name, shared health check settings, primary and secondary
   */
  constructor(scope: Construct, id: string, props: ActivePassiveGatewayProps) {
    super(scope, id, props);
    this._addMembers([
      { endpoint: props.primary, routing: { failover: 'PRIMARY' } },
      { endpoint: props.secondary, routing: { failover: 'SECONDARY' } },
    ]);
  }
}

/** Properties of a `MultiValueGateway`. */
export interface MultiValueGatewayProps extends GatewayBaseProps {
  /** The members, each with an IP address (multivalue answers do not accept CNAME). */
  readonly endpoints: GatewayEndpoint[];
}

/**
 * Multivalue answer routing: up to 8 healthy endpoints per answer, a random 8 when more are healthy,
 * and up to 8 of all when none is healthy.
 */
export class MultiValueGateway extends GatewayBase {
  /**
   * @param scope the construct this gateway belongs to, inside an aws-cdk-lib `Stack`, a cdktf
   * `TerraformStack` or a `SelfHostedStack`
   * @param id the construct id (part of every logical id of the gateway's resources)
   * @param props the zone, record name, shared health check settings and endpoints
   */
  constructor(scope: Construct, id: string, props: MultiValueGatewayProps) {
    super(scope, id, props);
    this._addMembers(props.endpoints.map((endpoint) => ({ endpoint, routing: { multiValueAnswer: true } })));
  }
}
