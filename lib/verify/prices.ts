/**
 * Amazon Route 53 prices the verifier's cost estimate uses: the one place to update them.
 *
 * Source: the public price list, https://aws.amazon.com/route53/pricing/ (US dollars per month, before
 * tax, standard AWS regions), as written down on the date below. Prices change: compare with the page
 * and update the numbers and the date together.
 */
export const ROUTE53_PRICES = {
  /** The day these numbers were written down from the public price list (ISO 8601). */
  asOf: '2026-11-22',
  source: 'https://aws.amazon.com/route53/pricing/',
  currency: 'USD',
  healthChecks: {
    /** Basic health check (HTTP or TCP, 30 s interval) on an endpoint running in AWS, per month. */
    awsEndpointBasic: 0.5,
    /** Basic health check on an endpoint outside AWS, per month. */
    nonAwsEndpointBasic: 0.75,
    /** Each optional feature (HTTPS, string matching, fast 10 s interval, latency measurement) on an AWS endpoint, per month. */
    awsEndpointOptionalFeature: 1.0,
    /** Each optional feature on an endpoint outside AWS, per month. */
    nonAwsEndpointOptionalFeature: 2.0,
  },
  hostedZones: {
    /** Each of the first 25 hosted zones of an account, per month. */
    first25: 0.5,
    /** Each hosted zone beyond 25, per month. */
    additional: 0.1,
  },
  queries: {
    /** Standard queries (simple, weighted, failover, multivalue), per million, first billion a month. Traffic-dependent: not estimated. */
    standardPerMillion: 0.4,
    /** Latency-based routing queries, per million, first billion a month. */
    latencyPerMillion: 0.6,
    /** Geolocation (and geoproximity) queries, per million, first billion a month. */
    geolocationPerMillion: 0.7,
    /** IP-based routing queries, per million, first billion a month (storage of up to 1,000 CIDR blocks included). */
    ipBasedPerMillion: 0.8,
    /** Queries answered by an alias to an AWS resource (load balancer, CloudFront, S3 website, API Gateway, ...). */
    aliasToAwsResourcePerMillion: 0,
  },
} as const;

/** The optional features Route 53 bills per health check (each one once). */
export const OPTIONAL_FEATURES = ['HTTPS', 'string matching', 'fast interval (10 s)', 'latency measurement'] as const;
export type OptionalFeature = (typeof OPTIONAL_FEATURES)[number];
