/**
 * Monthly Route 53 cost of an artifact's health checks and hosted zones, from the price table in
 * `prices.ts`. Only for artifacts that deploy to Route 53 (CloudFormation, Terraform): a self-hosted
 * bundle runs on your own machines.
 *
 * Route 53 bills a health check by where its endpoint runs (in AWS or not), plus each optional feature
 * it uses (HTTPS, string matching, the 10 s interval, latency measurement). The artifact does not say
 * who owns an IP address or a host name, so the verifier counts IP and host name endpoints as outside
 * AWS (the higher price), except host names under AWS's own domains (amazonaws.com, cloudfront.net,
 * awsglobalaccelerator.com, on.aws). Calculated, CloudWatch alarm and routing control checks are
 * priced as basic checks on AWS endpoints.
 */
import { DEFAULT_REQUEST_INTERVAL_SECONDS, FailoverModel, HealthCheckModel, isEndpointCheckType, isHttpsCheck, matchesString, normalizeName, requestIntervalOf } from '../model';
import { OptionalFeature, ROUTE53_PRICES } from './prices';

export interface HealthCheckCost {
  readonly healthCheckId: string;
  readonly type: string;
  /** Whether the check probes an endpoint (HTTP*, HTTPS*, TCP); other types are priced as AWS checks. */
  readonly endpointCheck: boolean;
  /** Where the endpoint runs, as priced. */
  readonly endpoint: 'aws' | 'non-aws';
  /** Why it was priced that way. */
  readonly endpointBasis: string;
  readonly features: readonly OptionalFeature[];
  readonly basicMonthly: number;
  readonly featuresMonthly: number;
  readonly monthly: number;
}

export interface HostedZoneCost {
  readonly zone: string;
  readonly monthly: number;
}

export interface CostEstimate {
  readonly asOf: string;
  readonly source: string;
  readonly currency: string;
  readonly healthChecks: readonly HealthCheckCost[];
  readonly healthChecksMonthly: number;
  readonly hostedZones: readonly HostedZoneCost[];
  readonly hostedZonesMonthly: number;
  readonly totalMonthly: number;
  readonly notes: readonly string[];
}

/** Host names under these domains are AWS endpoints. */
export const AWS_ENDPOINT_DOMAINS = ['amazonaws.com', 'cloudfront.net', 'awsglobalaccelerator.com', 'on.aws'];

const cents = (x: number) => Math.round(x * 100) / 100;

export function healthCheckCost(hc: HealthCheckModel): HealthCheckCost {
  const c = hc.config;
  const p = ROUTE53_PRICES.healthChecks;
  const endpointCheck = isEndpointCheckType(c.type);
  let endpoint: 'aws' | 'non-aws' = 'aws';
  let endpointBasis: string;
  if (!endpointCheck) {
    endpointBasis = `${c.type} checks are priced as checks on AWS endpoints`;
  } else {
    const host = c.fullyQualifiedDomainName !== undefined ? normalizeName(c.fullyQualifiedDomainName) : undefined;
    const awsDomain = c.ipAddress === undefined && host !== undefined ? AWS_ENDPOINT_DOMAINS.find((d) => host === d || host.endsWith(`.${d}`)) : undefined;
    if (awsDomain) {
      endpointBasis = `host name under ${awsDomain}`;
    } else {
      endpoint = 'non-aws';
      endpointBasis = c.ipAddress !== undefined
        ? `IP address ${c.ipAddress}: ownership unknown, priced as outside AWS`
        : `host name ${host ?? '?'}: ownership unknown, priced as outside AWS`;
    }
  }
  const features: OptionalFeature[] = [];
  if (endpointCheck) {
    if (isHttpsCheck(c.type)) features.push('HTTPS');
    if (matchesString(c.type)) features.push('string matching');
    if (requestIntervalOf(c) < DEFAULT_REQUEST_INTERVAL_SECONDS) features.push('fast interval (10 s)');
    if (c.measureLatency === true) features.push('latency measurement');
  }
  const basicMonthly = endpoint === 'aws' ? p.awsEndpointBasic : p.nonAwsEndpointBasic;
  const featuresMonthly = features.length * (endpoint === 'aws' ? p.awsEndpointOptionalFeature : p.nonAwsEndpointOptionalFeature);
  return {
    healthCheckId: hc.id,
    type: c.type,
    endpointCheck,
    endpoint,
    endpointBasis,
    features,
    basicMonthly,
    featuresMonthly: cents(featuresMonthly),
    monthly: cents(basicMonthly + featuresMonthly),
  };
}

export function costEstimate(model: FailoverModel): CostEstimate {
  const healthChecks = model.healthChecks.map(healthCheckCost);
  const zones = [...new Set(model.recordSets.map((r) => r.hostedZoneName ?? r.hostedZoneId).filter((z): z is string => z !== undefined))];
  const zp = ROUTE53_PRICES.hostedZones;
  const hostedZones = zones.map((zone, i) => ({ zone, monthly: i < 25 ? zp.first25 : zp.additional }));
  const healthChecksMonthly = cents(healthChecks.reduce((s, h) => s + h.monthly, 0));
  const hostedZonesMonthly = cents(hostedZones.reduce((s, z) => s + z.monthly, 0));
  const notes: string[] = [];
  if (healthChecks.some((h) => h.endpoint === 'non-aws')) {
    notes.push('IP address and host name endpoints are priced as outside AWS: the artifact does not say who owns them (checks on AWS endpoints cost less)');
  }
  if (hostedZones.length > 0) {
    notes.push('each hosted zone is priced as one of the account\'s first 25; the zone is billed whether or not this artifact created it');
  }
  notes.push(`DNS queries are billed per million (standard queries $${ROUTE53_PRICES.queries.standardPerMillion.toFixed(2)}) and depend on traffic: not included`);
  return {
    asOf: ROUTE53_PRICES.asOf,
    source: ROUTE53_PRICES.source,
    currency: ROUTE53_PRICES.currency,
    healthChecks,
    healthChecksMonthly,
    hostedZones,
    hostedZonesMonthly,
    totalMonthly: cents(healthChecksMonthly + hostedZonesMonthly),
    notes,
  };
}
