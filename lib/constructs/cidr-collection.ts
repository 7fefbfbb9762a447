import { createHash } from 'crypto';
import { Construct, IConstruct } from 'constructs';
import { CidrCollectionModel } from '../model';
import { findTarget } from '../targets/target';

/** A named location of a CIDR collection: the client networks it stands for. */
export interface CidrLocation {
  /** The location's name: 1 to 16 letters, digits, `_` or `-`. */
  readonly name: string;
  /** Its CIDR blocks, for example `203.0.113.0/24` or `2001:db8::/48` (IPv4 /1 to /24, IPv6 /1 to /48). */
  readonly cidrBlocks: string[];
}

/** Properties of a `CidrCollection`. */
export interface CidrCollectionProps {
  /**
   * The collection's name (unique in the AWS account): 1 to 64 letters, digits, `_` or `-`.
   * @default - derived from the construct path, stack included (so that two stacks of one account do not clash)
   */
  readonly collectionName?: string;
  /** The locations. */
  readonly locations: CidrLocation[];
}

/** A CIDR collection, created here or elsewhere: what IP-based gateways route by. */
export interface ICidrCollection extends IConstruct {
  /**
   * The collection's id, as the target refers to it (a token until deployment).
   * @attribute
   */
  readonly collectionId: string;
  /** The names of its locations, when known. */
  readonly locationNames: string[];
}

const NAME = /^[0-9A-Za-z_-]{1,64}$/;

/** A collection name from a construct path: letters, digits, `_` and `-`, at most 64 (a hash keeps long ones unique). */
export function collectionNameFor(path: string): string {
  const name = path.replace(/[^0-9A-Za-z_-]+/g, '-').replace(/^-+|-+$/g, '') || 'collection';
  if (name.length <= 64) return name;
  return `${name.slice(0, 55)}-${createHash('sha256').update(path).digest('hex').slice(0, 8)}`;
}

/**
 * A Route 53 CIDR collection (`AWS::Route53::CidrCollection`, `aws_route53_cidr_collection` with its
 * `aws_route53_cidr_location`s): named locations, each a list of client networks. An `IpBasedGateway`
 * creates one from its endpoints, or uses one given to it (several gateways may share one).
 */
export class CidrCollection extends Construct implements ICidrCollection {
  /** A collection that exists already, by its Route 53 id; `locationNames` lets gateways check the names they use. */
  public static fromCollectionId(scope: Construct, id: string, collectionId: string, locationNames: string[] = []): ICidrCollection {
    class Imported extends Construct implements ICidrCollection {
      public readonly collectionId = collectionId;
      public readonly locationNames = [...locationNames];
      public readonly _modelId = collectionId;
    }
    return new Imported(scope, id);
  }

  public readonly collectionId: string;
  /** The collection's name. */
  public readonly collectionName: string;
  public readonly locationNames: string[];
  /** @internal */
  public readonly _modelId: string;
  /** @internal */
  public readonly _model: CidrCollectionModel;

  constructor(scope: Construct, id: string, props: CidrCollectionProps) {
    super(scope, id);
    const target = findTarget(this);
    // The name is unique in the account and written in every artifact: it is the collection's model id.
    this.collectionName = props.collectionName ?? collectionNameFor(this.node.path);
    this._modelId = this.collectionName;
    if (!NAME.test(this.collectionName)) {
      throw new Error(`collectionName '${this.collectionName}' is not valid; use 1 to 64 letters, digits, '_' or '-'`);
    }
    if (props.locations.length === 0) throw new Error(`CIDR collection '${this.collectionName}' has no locations; give at least one with its CIDR blocks`);
    this.locationNames = props.locations.map((l) => l.name);
    this._model = {
      id: this._modelId,
      name: this.collectionName,
      locations: props.locations.map((l) => ({ name: l.name, cidrList: [...l.cidrBlocks] })),
    };
    this.collectionId = target.renderCidrCollection(this, this._model);
  }
}

/** The model id of any collection: ours, or an imported one. @internal */
export function collectionModelId(collection: ICidrCollection): string {
  return (collection as Partial<CidrCollection>)._modelId ?? collection.collectionId;
}
