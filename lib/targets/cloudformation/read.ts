/**
 * Reads a synthesized CloudFormation template back into the Route 53 model (for the verifier and the
 * round-trip tests). Understands `AWS::Route53::HealthCheck`, `AWS::Route53::RecordSet` and
 * `AWS::Route53::RecordSetGroup`, whoever wrote them; values that are only known at deployment
 * (`Ref`, `Fn::GetAtt`, ...) become unresolved markers.
 */
import { MODEL_METADATA_KEY } from './render';
import {
  CidrCollectionModel,
  FailoverModel,
  FailoverRole,
  HealthCheckConfigModel,
  HealthCheckModel,
  HealthCheckType,
  InsufficientDataHealthStatus,
  normalizeName,
  readBoolean,
  readList,
  readNumber,
  RecordSetModel,
  RecordType,
  unresolvedMarker,
} from '../../model';


interface CfnResourceJson {
  readonly Type?: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
}

function intrinsic(value: any): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [key] = keys;
  if (key === 'Ref') return unresolvedMarker(`Ref:${value.Ref}`);
  if (key === 'Fn::GetAtt') {
    const arg = value[key];
    return unresolvedMarker(`GetAtt:${Array.isArray(arg) ? arg.join('.') : String(arg)}`);
  }
  if (key.startsWith('Fn::')) return unresolvedMarker(`${key}:${JSON.stringify(value[key])}`);
  return undefined;
}

function str(value: any): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return intrinsic(value) ?? unresolvedMarker(JSON.stringify(value));
}


/** The logical id a `Ref` or `Fn::GetAtt` points at, if any. */
function referencedLogicalId(value: any): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const att = value['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
  if (typeof att === 'string') return att.split('.')[0];
  return undefined;
}

function readHealthCheckConfig(cfg: Record<string, any>, refToId: (v: any) => string): HealthCheckConfigModel {
  const alarm = cfg.AlarmIdentifier;
  return {
    type: str(cfg.Type) as HealthCheckType,
    ipAddress: str(cfg.IPAddress),
    fullyQualifiedDomainName: str(cfg.FullyQualifiedDomainName),
    port: readNumber(cfg.Port),
    resourcePath: str(cfg.ResourcePath),
    searchString: str(cfg.SearchString),
    requestInterval: readNumber(cfg.RequestInterval),
    failureThreshold: readNumber(cfg.FailureThreshold),
    measureLatency: readBoolean(cfg.MeasureLatency),
    inverted: readBoolean(cfg.Inverted),
    // Not a CloudFormation property, but read it if a hand-written template carries it.
    disabled: readBoolean(cfg.Disabled),
    enableSni: readBoolean(cfg.EnableSNI),
    regions: readList(cfg.Regions, str),
    childHealthChecks: Array.isArray(cfg.ChildHealthChecks) ? cfg.ChildHealthChecks.map(refToId) : undefined,
    healthThreshold: readNumber(cfg.HealthThreshold),
    alarmIdentifier: alarm ? { name: str(alarm.Name)!, region: str(alarm.Region)! } : undefined,
    insufficientDataHealthStatus: str(cfg.InsufficientDataHealthStatus) as InsufficientDataHealthStatus | undefined,
    routingControlArn: str(cfg.RoutingControlArn),
  };
}

function zoneName(value: any): string | undefined {
  const s = str(value);
  return s === undefined ? undefined : normalizeName(s);
}

/** Reads a CloudFormation template (parsed JSON) into the model. */
export function readCloudFormationTemplate(template: unknown): FailoverModel {
  if (!template || typeof template !== 'object') {
    throw new Error('not a CloudFormation template: expected a JSON object with a Resources section');
  }
  const resources: Record<string, CfnResourceJson> = (template as any).Resources ?? {};
  const idByLogical = new Map<string, string>();
  for (const [logicalId, res] of Object.entries(resources)) {
    if (res.Type === 'AWS::Route53::HealthCheck') idByLogical.set(logicalId, res.Metadata?.[MODEL_METADATA_KEY]?.id ?? logicalId);
    // A collection's model id is its name (unique in the account).
    if (res.Type === 'AWS::Route53::CidrCollection') idByLogical.set(logicalId, str(res.Properties?.Name) ?? logicalId);
  }
  const refToId = (value: any): string => {
    const logical = referencedLogicalId(value);
    if (logical !== undefined && idByLogical.has(logical)) return idByLogical.get(logical)!;
    return str(value)!;
  };
  const cidrCollections: CidrCollectionModel[] = [];

  const healthChecks: HealthCheckModel[] = [];
  const recordSets: RecordSetModel[] = [];
  const readRecord = (p: Record<string, any>, zone: { id?: any; name?: any }) => {
    const rr = p.ResourceRecords;
    const geo = p.GeoLocation;
    const alias = p.AliasTarget;
    const cidr = p.CidrRoutingConfig;
    recordSets.push({
      hostedZoneId: str(zone.id),
      hostedZoneName: zoneName(zone.name),
      name: normalizeName(str(p.Name) ?? ''),
      recordType: str(p.Type) as RecordType,
      ttl: readNumber(p.TTL),
      values: Array.isArray(rr) ? rr.map((v: any) => str(v)!) : rr !== undefined ? [str(rr)!] : [],
      setIdentifier: str(p.SetIdentifier),
      weight: readNumber(p.Weight),
      failover: str(p.Failover) as FailoverRole | undefined,
      multiValueAnswer: readBoolean(p.MultiValueAnswer),
      geoLocation: geo && typeof geo === 'object'
        ? { continentCode: str(geo.ContinentCode), countryCode: str(geo.CountryCode), subdivisionCode: str(geo.SubdivisionCode) }
        : undefined,
      region: str(p.Region),
      cidrRoutingConfig: cidr && typeof cidr === 'object' ? { collectionId: refToId(cidr.CollectionId), locationName: str(cidr.LocationName)! } : undefined,
      aliasTarget: alias && typeof alias === 'object'
        ? { dnsName: normalizeName(str(alias.DNSName) ?? ''), hostedZoneId: str(alias.HostedZoneId), evaluateTargetHealth: readBoolean(alias.EvaluateTargetHealth) ?? false }
        : undefined,
      healthCheckId: p.HealthCheckId !== undefined ? refToId(p.HealthCheckId) : undefined,
    });
  };

  for (const [logicalId, res] of Object.entries(resources)) {
    const p = res.Properties ?? {};
    switch (res.Type) {
      case 'AWS::Route53::HealthCheck': {
        const tags: Array<{ Key: string; Value: any }> = Array.isArray(p.HealthCheckTags) ? p.HealthCheckTags : [];
        const nameTag = tags.find((t) => t.Key === 'Name');
        healthChecks.push({
          id: idByLogical.get(logicalId)!,
          name: nameTag ? str(nameTag.Value) : undefined,
          config: readHealthCheckConfig(p.HealthCheckConfig ?? {}, refToId),
        });
        break;
      }
      case 'AWS::Route53::RecordSet':
        readRecord(p, { id: p.HostedZoneId, name: p.HostedZoneName });
        break;
      case 'AWS::Route53::CidrCollection':
        cidrCollections.push({
          id: idByLogical.get(logicalId)!,
          name: idByLogical.get(logicalId)!,
          locations: (Array.isArray(p.Locations) ? p.Locations : [])
            .map((l: any) => ({ name: str(l.LocationName)!, cidrList: readList(l.CidrList, str) ?? [] })),
        });
        break;
      case 'AWS::Route53::RecordSetGroup':
        for (const rs of Array.isArray(p.RecordSets) ? p.RecordSets : []) {
          readRecord(rs, { id: rs.HostedZoneId ?? p.HostedZoneId, name: rs.HostedZoneName ?? p.HostedZoneName });
        }
        break;
      default:
        break;
    }
  }
  return { healthChecks, recordSets, ...(cidrCollections.length > 0 ? { cidrCollections } : {}) };
}
