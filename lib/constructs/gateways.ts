import { GeoLocation } from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { CidrCollection, collectionModelId, ICidrCollection } from './cidr-collection';
import { GatewayEndpoint, WeightedEndpoint } from './endpoint';
import { GatewayBase, GatewayBaseProps } from './gateway';
import { DEFAULT_CIDR_LOCATION } from '../model';

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
    const alias = props.endpoints.find((e) => e.target !== undefined);
    if (alias) {
      throw new Error(`endpoint '${alias.name}' has a target, but multivalue answer records cannot be aliases; give it an address, or make the multivalue gateway a member of a weighted or failover gateway instead`);
    }
    this._addMembers(props.endpoints.map((endpoint) => ({ endpoint, routing: { multiValueAnswer: true } })));
  }
}

/** A member of a geolocation gateway: the clients it answers, and what answers them. */
export interface GeolocationEndpoint extends GatewayEndpoint {
  /**
   * Where its clients are: a continent, a country, a subdivision (a US state), or
   * `GeoLocation.default()` for everyone else (and for addresses that map to no location).
   */
  readonly location: GeoLocation;
}

/** Properties of a `GeolocationGateway`. */
export interface GeolocationGatewayProps extends GatewayBaseProps {
  /** The members, one per location; give one a default location so that no client goes unanswered. */
  readonly endpoints: GeolocationEndpoint[];
}

/**
 * Geolocation routing: each client is answered by the member of the smallest area that holds it
 * (subdivision, country, continent, then the default); an unhealthy member hands its clients to the
 * next larger area that has a member; when none of those is healthy, the smallest area answers anyway.
 * Continents are Route 53's own (Turkey, Russia and Cyprus are in Europe).
 */
export class GeolocationGateway extends GatewayBase {
  constructor(scope: Construct, id: string, props: GeolocationGatewayProps) {
    super(scope, id, props);
    this._addMembers(props.endpoints.map((endpoint) => {
      const l = endpoint.location;
      const geoLocation = l.countryCode === '*' || (l.continentCode === undefined && l.countryCode === undefined)
        ? { countryCode: '*' }
        : {
          ...(l.continentCode !== undefined ? { continentCode: l.continentCode } : {}),
          ...(l.countryCode !== undefined ? { countryCode: l.countryCode } : {}),
          ...(l.subdivisionCode !== undefined ? { subdivisionCode: l.subdivisionCode } : {}),
        };
      return { endpoint, routing: { geoLocation } };
    }));
  }
}

/** A member of a latency gateway: the AWS region its resources run in. */
export interface LatencyEndpoint extends GatewayEndpoint {
  /** The AWS region, for example `eu-west-1`: Route 53 answers each client from the region with the lowest latency to it. */
  readonly region: string;
}

/** Properties of a `LatencyGateway`. */
export interface LatencyGatewayProps extends GatewayBaseProps {
  /** The members, one per region (several endpoints of a region: a gateway of their own as the member). */
  readonly endpoints: LatencyEndpoint[];
}

/**
 * Latency routing: each client is answered from the region with the lowest latency to it; an
 * unhealthy region hands its clients to the next best one; when none is healthy, the best region
 * answers anyway. Regions usually alias a weighted gateway of their own (`GatewayTarget.gateway`).
 */
export class LatencyGateway extends GatewayBase {
  constructor(scope: Construct, id: string, props: LatencyGatewayProps) {
    super(scope, id, props);
    this._addMembers(props.endpoints.map((endpoint) => ({ endpoint, routing: { region: endpoint.region } })));
  }
}

/** A member of an IP-based gateway: a location of the CIDR collection (or the default `*`). */
export interface IpBasedEndpoint extends GatewayEndpoint {
  /** A location name of the collection, or `*` for clients in none of its blocks. */
  readonly location: string;
  /**
   * The location's CIDR blocks, when the gateway creates the collection.
   * @default - none: the location comes from the gateway's `collection`
   */
  readonly cidrBlocks?: string[];
}

/** Properties of an `IpBasedGateway`. */
export interface IpBasedGatewayProps extends GatewayBaseProps {
  /** The members, one per location, and one for `*` (everyone else). */
  readonly endpoints: IpBasedEndpoint[];
  /**
   * The CIDR collection whose locations the endpoints name.
   * @default - a collection of its own, made of the endpoints' `cidrBlocks`
   */
  readonly collection?: ICidrCollection;
}

/**
 * IP-based routing: each client is answered by the location whose CIDR block matches the longest part
 * of its address (Route 53 decides on at most /24 for IPv4 and /48 for IPv6); an unhealthy location hands
 * its clients to a shorter matching block, then to the default `*`; when none of those is healthy, the
 * matched location answers anyway.
 */
export class IpBasedGateway extends GatewayBase {
  /** The collection the gateway routes by (its own, or the one given). */
  public readonly collection: ICidrCollection;

  constructor(scope: Construct, id: string, props: IpBasedGatewayProps) {
    super(scope, id, props);
    const blocks = props.endpoints.filter((e) => e.cidrBlocks !== undefined);
    if (props.collection) {
      if (blocks.length > 0) {
        throw new Error(`endpoint '${blocks[0].name}' gives cidrBlocks, but the gateway uses the collection '${props.collection.node.path}'; define the blocks in that collection, or leave collection unset`);
      }
      const names = props.collection.locationNames;
      for (const e of props.endpoints) {
        if (e.location !== DEFAULT_CIDR_LOCATION && names.length > 0 && !names.includes(e.location)) {
          throw new Error(`endpoint '${e.name}' names location '${e.location}', which collection '${props.collection.node.path}' does not have (its locations: ${names.join(', ')}); use one of them or '${DEFAULT_CIDR_LOCATION}'`);
        }
      }
      this.collection = props.collection;
    } else {
      const missing = props.endpoints.filter((e) => e.location !== DEFAULT_CIDR_LOCATION && e.cidrBlocks === undefined);
      if (missing.length > 0) {
        throw new Error(`endpoint '${missing[0].name}' names location '${missing[0].location}' without cidrBlocks; give its CIDR blocks, or give the gateway a collection that has that location`);
      }
      const own = props.endpoints.filter((e) => e.location === DEFAULT_CIDR_LOCATION && e.cidrBlocks !== undefined);
      if (own.length > 0) throw new Error(`endpoint '${own[0].name}' is the default location '${DEFAULT_CIDR_LOCATION}', which has no CIDR blocks; remove its cidrBlocks`);
      this.collection = new CidrCollection(this, 'Collection', {
        locations: props.endpoints.filter((e) => e.location !== DEFAULT_CIDR_LOCATION).map((e) => ({ name: e.location, cidrBlocks: e.cidrBlocks! })),
      });
    }
    const collectionId = collectionModelId(this.collection);
    this._addMembers(props.endpoints.map((endpoint) => ({
      endpoint,
      routing: { cidrRoutingConfig: { collectionId, locationName: endpoint.location } },
    })));
  }
}
