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
import {
  DEFAULT_REQUEST_INTERVAL_SECONDS,
  FailoverModel,
  groupRecords,
  HealthCheckModel,
  isAliasInZone,
  isEndpointCheckType,
  isHttpsCheck,
  matchesString,
  normalizeName,
  zoneKeyOf,
  requestIntervalOf,
  RoutingPolicy,
  routingPolicyOf,
} from '../model';
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

/** What one million queries for a name cost, by the routing policy of its records. */
export interface QueryRate {
  /** The record name and type, as `api.example.com A`. */
  readonly name: string;
  readonly policy: RoutingPolicy;
  /** US dollars per million queries, first billion a month. */
  readonly perMillion: number;
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
  /**
   * The query price of each name clients ask for (the roots of routing trees and the single-level
   * gateways; names only reached through an alias of the same zone are left out). Queries depend on
   * traffic, so they are not in the total.
   */
  readonly queryRates: readonly QueryRate[];
  readonly notes: readonly string[];
}

/** Route 53's query price per million for a routing policy. */
export function queryRateOf(policy: RoutingPolicy): number {
  const q = ROUTE53_PRICES.queries;
  switch (policy) {
    case 'latency': return q.latencyPerMillion;
    case 'geolocation': return q.geolocationPerMillion;
    case 'ip-based': return q.ipBasedPerMillion;
    default: return q.standardPerMillion;
  }
}

function queryRates(model: FailoverModel): QueryRate[] {
  const key = (zone: string, name: string, type: string) => `${zone}|${normalizeName(name)}|${type}`;
  const targeted = new Set(model.recordSets.filter(isAliasInZone).map((r) => key(zoneKeyOf(r), r.aliasTarget!.dnsName, r.recordType)));
  return groupRecords(model.recordSets)
    .filter((g) => !targeted.has(key(zoneKeyOf(g.records[0]), g.name, g.recordType)))
    .map((g) => {
      const policy = routingPolicyOf(g.records[0]);
      return { name: `${g.name} ${g.recordType}`, policy, perMillion: queryRateOf(policy) };
    });
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
  const rates = queryRates(model);
  const q = ROUTE53_PRICES.queries;
  const dollars = (x: number) => `$${x.toFixed(2)}`;
  notes.push(`DNS queries are billed per million and depend on traffic: not included (first billion a month: standard ${dollars(q.standardPerMillion)}, latency ${dollars(q.latencyPerMillion)}, geolocation ${dollars(q.geolocationPerMillion)}, IP-based ${dollars(q.ipBasedPerMillion)})`);
  if (model.recordSets.some(isAliasInZone)) {
    notes.push('a query is priced by the policy of the name asked for: the price list names no separate price for the aliases inside a routing tree');
  }
  if (model.recordSets.some((r) => r.aliasTarget !== undefined && !isAliasInZone(r))) {
    notes.push('queries answered by an alias to an AWS resource (load balancer, CloudFront, S3 website, API Gateway) are free');
  }
  return {
    asOf: ROUTE53_PRICES.asOf,
    source: ROUTE53_PRICES.source,
    currency: ROUTE53_PRICES.currency,
    healthChecks,
    healthChecksMonthly,
    hostedZones,
    hostedZonesMonthly,
    totalMonthly: cents(healthChecksMonthly + hostedZonesMonthly),
    queryRates: rates,
    notes,
  };
}
