import { IHostedZone } from 'aws-cdk-lib/aws-route53';
import { normalizeName } from '../model';

/** Attributes of an existing hosted zone. */
export interface GatewayZoneAttributes {
  /** The Route 53 hosted zone id, for example `Z0123456789ABCDEFGHIJ`. */
  readonly hostedZoneId: string;
  /** The zone's domain name, for example `example.com`. */
  readonly zoneName: string;
}

/**
 * The hosted zone a gateway's records go into. Works in every target: Route 53 through CloudFormation
 * or Terraform, and the self-hosted DNS server (which serves the zone by its name).
 */
export abstract class GatewayZone {
  /**
   * A zone known by id and name. The records refer to it by id.
   * @param attrs the hosted zone id and the zone name
   */
  public static fromHostedZoneAttributes(attrs: GatewayZoneAttributes): GatewayZone {
    return new ConcreteZone(normalizeName(attrs.zoneName), attrs.hostedZoneId);
  }

  /**
   * An aws-cdk-lib hosted zone (created in the app or imported).
   * @param zone the hosted zone
   */
  public static fromHostedZone(zone: IHostedZone): GatewayZone {
    return new ConcreteZone(normalizeName(zone.zoneName), zone.hostedZoneId);
  }

  /**
   * A zone known by name only. CloudFormation refers to it with `HostedZoneName`, Terraform looks it
   * up with the `aws_route53_zone` data source, the self-hosted target serves it.
   * @param zoneName the zone's name, for example `example.com`
   */
  public static fromZoneName(zoneName: string): GatewayZone {
    return new ConcreteZone(normalizeName(zoneName), undefined);
  }

  /** The zone's domain name, without the trailing dot. */
  public abstract readonly zoneName: string;
  /**
   * The hosted zone id, when known.
   * @default - the zone is referred to by name
   */
  public abstract readonly hostedZoneId?: string;
}

class ConcreteZone extends GatewayZone {
  constructor(public readonly zoneName: string, public readonly hostedZoneId?: string) {
    super();
    if (!zoneName) throw new Error('zoneName is empty; give the zone\'s domain name, for example \'example.com\'');
  }
}
