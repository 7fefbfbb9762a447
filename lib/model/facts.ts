/**
 * Route 53's facts: every default, range, list and per-type rule of Amazon Route 53 that this library
 * uses, written once. The model's validation, the constructs, the engine, the checker, the bundle
 * format and the verifier all import them from here; nothing else spells these numbers.
 *
 * Each fact names its source (ROUTE53.md, which quotes the AWS pages): DG-health "How Amazon Route 53
 * determines whether a health check is healthy", DG-values "Values that you specify when you create or
 * update health checks", CFN-HC / CFN-RS the CloudFormation `AWS::Route53::HealthCheck` /
 * `AWS::Route53::RecordSet` reference, API the Route 53 API reference (2013-04-01).
 * A value marked (our choice) is this library's, where AWS says nothing.
 *
 * Internal: not exported through lib/index.ts (jsii); the constructs document the defaults in words.
 */

// ---- Health check types (ROUTE53.md §1 "Types") ----

/** Every `HealthCheckConfig.Type` Route 53 knows. */
export const HEALTH_CHECK_TYPES = [
  'HTTP',
  'HTTPS',
  'HTTP_STR_MATCH',
  'HTTPS_STR_MATCH',
  'TCP',
  'CALCULATED',
  'CLOUDWATCH_METRIC',
  'RECOVERY_CONTROL',
] as const;
export type HealthCheckType = (typeof HEALTH_CHECK_TYPES)[number];

/** The types whose status checkers measure by probing an endpoint. */
export const ENDPOINT_CHECK_TYPES = ['HTTP', 'HTTPS', 'HTTP_STR_MATCH', 'HTTPS_STR_MATCH', 'TCP'] as const;
export type EndpointCheckType = (typeof ENDPOINT_CHECK_TYPES)[number];

const ENDPOINT_TYPE_SET: ReadonlySet<string> = new Set(ENDPOINT_CHECK_TYPES);

/**
 * How a health check gets its status: probes of an endpoint, its children (CALCULATED), a CloudWatch
 * alarm, a routing control, or a type Route 53 does not know (an unvalidated artifact).
 */
export type HealthCheckKind = 'endpoint' | 'calculated' | 'cloudwatch-alarm' | 'routing-control' | 'unknown';

export function healthCheckKindOf(type: string): HealthCheckKind {
  if (ENDPOINT_TYPE_SET.has(type)) return 'endpoint';
  switch (type) {
    case 'CALCULATED': return 'calculated';
    case 'CLOUDWATCH_METRIC': return 'cloudwatch-alarm';
    case 'RECOVERY_CONTROL': return 'routing-control';
    default: return 'unknown';
  }
}

export function isEndpointCheckType(type: string): type is EndpointCheckType {
  return ENDPOINT_TYPE_SET.has(type);
}

/** The protocol an endpoint check speaks. */
export type ProbeProtocol = 'HTTP' | 'HTTPS' | 'TCP';

/** HTTP for HTTP and HTTP_STR_MATCH, HTTPS for HTTPS and HTTPS_STR_MATCH, TCP for TCP. */
export function probeProtocolOf(type: EndpointCheckType): ProbeProtocol {
  return type === 'TCP' ? 'TCP' : type.startsWith('HTTPS') ? 'HTTPS' : 'HTTP';
}

/** `*_STR_MATCH`: the body is searched for `SearchString`. */
export function matchesString(type: string): boolean {
  return type === 'HTTP_STR_MATCH' || type === 'HTTPS_STR_MATCH';
}

/** HTTPS and HTTPS_STR_MATCH. */
export function isHttpsCheck(type: string): boolean {
  return type === 'HTTPS' || type === 'HTTPS_STR_MATCH';
}

/** The string-matching type of a protocol (`HTTP` -> `HTTP_STR_MATCH`). */
export function stringMatchType(protocol: 'HTTP' | 'HTTPS'): 'HTTP_STR_MATCH' | 'HTTPS_STR_MATCH' {
  return protocol === 'HTTPS' ? 'HTTPS_STR_MATCH' : 'HTTP_STR_MATCH';
}

// ---- Addressing (ROUTE53.md §1 "Addressing", CFN-HC, DG-values) ----

/** `Port` 1..65535; default 80 for HTTP*, 443 for HTTPS*; TCP checks name their port. */
export const PORT_RANGE = { min: 1, max: 65535 } as const;
export const DEFAULT_PORTS: Readonly<Record<'HTTP' | 'HTTPS', number>> = { HTTP: 80, HTTPS: 443 };

/** The port a check probes: its own, else the protocol's default (undefined for a TCP check without one). */
export function portOf(config: { readonly type: string; readonly port?: number }): number | undefined {
  if (config.port !== undefined) return config.port;
  if (!isEndpointCheckType(config.type)) return undefined;
  const protocol = probeProtocolOf(config.type);
  return protocol === 'TCP' ? undefined : DEFAULT_PORTS[protocol];
}

/** `ResourcePath`: at most 255 characters, default `/`; a missing leading `/` is added. */
export const MAX_RESOURCE_PATH = 255;
export const DEFAULT_RESOURCE_PATH = '/';

/** The path an HTTP* check requests: its own with a leading `/`, else `/`. */
export function resourcePathOf(config: { readonly resourcePath?: string }): string {
  const path = config.resourcePath ?? DEFAULT_RESOURCE_PATH;
  return path.startsWith('/') ? path : `/${path}`;
}

/** `FullyQualifiedDomainName`: at most 255 characters. */
export const MAX_FQDN = 255;

/** `SearchString`: at most 255 characters, case-sensitive, entirely inside the first 5,120 bytes of the body. */
export const MAX_SEARCH_STRING = 255;
export const SEARCH_WINDOW_BYTES = 5120;

/** `EnableSNI` defaults to true for HTTPS checks (Route 53 and Terraform). */
export const DEFAULT_ENABLE_SNI = true;

// ---- Timing (ROUTE53.md §1 "Timing", "What one checker counts as a success") ----

/** `RequestInterval`: Route 53 accepts 10 or 30 seconds, default 30. */
export const ROUTE53_REQUEST_INTERVALS: readonly number[] = [10, 30];
export const DEFAULT_REQUEST_INTERVAL_SECONDS = 30;
/** The self-hosted checkers' shortest interval and probe timeout, in seconds (our choice). */
export const MIN_SELF_HOSTED_INTERVAL_SECONDS = 0.1;

/** `FailureThreshold`: 1..10, default 3; consecutive results to change a checker's view, both ways. */
export const FAILURE_THRESHOLD_RANGE = { min: 1, max: 10 } as const;
export const DEFAULT_FAILURE_THRESHOLD = 3;

/** An endpoint check's interval in seconds: its own, else Route 53's default. */
export function requestIntervalOf(config: { readonly requestInterval?: number }): number {
  return config.requestInterval ?? DEFAULT_REQUEST_INTERVAL_SECONDS;
}

/** An endpoint check's failure threshold: its own, else Route 53's default. */
export function failureThresholdOf(config: { readonly failureThreshold?: number }): number {
  return config.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD;
}

/**
 * Route 53's fixed probe deadlines, in seconds (DG-health): a TCP connection within 4 s (10 s for
 * TCP checks), the status line within 2 s after connecting, the body within the next 2 s.
 */
export const ROUTE53_PROBE_TIMEOUTS = { httpConnect: 4, tcpConnect: 10, status: 2, body: 2 } as const;

export interface ProbeTimeoutDefaults {
  readonly httpConnect: number;
  readonly tcpConnect: number;
  readonly status: number;
  readonly body: number;
}

/** The deadlines that apply to one check, in seconds: which exist depends on its type. */
export interface ProbeDeadlines {
  /** Every endpoint check connects. */
  readonly connect: number;
  /** HTTP* and HTTPS* wait for the status line (TLS handshake included). */
  readonly status?: number;
  /** `*_STR_MATCH` read the body. */
  readonly body?: number;
}

/**
 * The deadlines of an endpoint check, in seconds: the check's own `connectTimeout`, `statusTimeout`
 * and `bodyTimeout` (self-hosted only), else the defaults (Route 53's). A TCP check has only a
 * connect deadline; HTTP and HTTPS add the status; string matching adds the body.
 */
export function probeDeadlinesOf(
  config: { readonly type: string; readonly connectTimeout?: number; readonly statusTimeout?: number; readonly bodyTimeout?: number },
  defaults: ProbeTimeoutDefaults = ROUTE53_PROBE_TIMEOUTS,
): ProbeDeadlines {
  if (config.type === 'TCP') return { connect: config.connectTimeout ?? defaults.tcpConnect };
  const connect = config.connectTimeout ?? defaults.httpConnect;
  const status = config.statusTimeout ?? defaults.status;
  return matchesString(config.type) ? { connect, status, body: config.bodyTimeout ?? defaults.body } : { connect, status };
}

/** How long one probe of a hanging endpoint takes to fail: the sum of its deadlines, in seconds. */
export function hangingProbeSeconds(deadlines: ProbeDeadlines): number {
  return deadlines.connect + (deadlines.status ?? 0) + (deadlines.body ?? 0);
}

// ---- Checkers and the verdict (ROUTE53.md §1 "Many checkers, one verdict") ----

/** The eight regions Route 53 health checkers run in (DG-health). No list means all eight. */
export const HEALTH_CHECK_REGIONS = [
  'us-east-1',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'sa-east-1',
] as const;
/** A `Regions` list needs at least 3 (the console and Terraform enforce 3..64). */
export const MIN_HEALTH_CHECK_REGIONS = 3;

/** Healthy when MORE than 18 % of the checkers report healthy; 18 % or fewer: unhealthy. */
export const DEFAULT_HEALTHY_FRACTION = 0.18;

/** The healthy fraction a self-hosted node accepts: from 0 (one healthy checker suffices) up to, not including, 1. */
export const HEALTHY_FRACTION_RANGE = { min: 0, maxExclusive: 1 } as const;

/** Why `fraction` is not a usable healthy fraction, or undefined. */
export function healthyFractionProblem(fraction: number): string | undefined {
  if (fraction >= HEALTHY_FRACTION_RANGE.min && fraction < HEALTHY_FRACTION_RANGE.maxExclusive) return undefined;
  return `healthyFraction ${fraction} is out of range; use a fraction from ${HEALTHY_FRACTION_RANGE.min} up to (not including) ${HEALTHY_FRACTION_RANGE.maxExclusive}, Route 53 uses ${DEFAULT_HEALTHY_FRACTION}`;
}

// ---- Calculated, CloudWatch (ROUTE53.md §1 "Calculated, inverted, disabled, CloudWatch") ----

/** `HealthThreshold` 0..256 and at most 256 children (API HealthCheckConfig). */
export const HEALTH_THRESHOLD_RANGE = { min: 0, max: 256 } as const;
export const MAX_CHILD_HEALTH_CHECKS = 256;

/**
 * The threshold a CALCULATED check applies: its `HealthThreshold`, or, when the artifact leaves it
 * out, every distinct child.
 *
 * Route 53's API reference (`HealthCheckConfig`, `HealthThreshold`) and CFN-HC define the field only
 * by its values ("the number of child health checks ... that Route 53 must consider healthy"; 0
 * always healthy, more than the children always unhealthy) and mark it optional without naming a
 * default. This library reads a missing value as "all children", aws-cdk-lib's documented default
 * for its `HealthCheck` (our choice); the constructs write that value, the renderers always write
 * the value, the model warns when an artifact leaves it out, and the engine, the drill and the
 * report all read it through this one function.
 */
export function healthThresholdOf(config: { readonly healthThreshold?: number; readonly childHealthChecks?: readonly string[] }): number {
  return config.healthThreshold ?? new Set(config.childHealthChecks ?? []).size;
}

export const INSUFFICIENT_DATA_HEALTH_STATUSES = ['Healthy', 'Unhealthy', 'LastKnownStatus'] as const;
export type InsufficientDataHealthStatus = (typeof INSUFFICIENT_DATA_HEALTH_STATUSES)[number];

/** Route 53 publishes `AWS/Route53 HealthCheckStatus` (1 healthy, 0 unhealthy) in us-east-1 only. */
export const HEALTH_CHECK_METRIC = { namespace: 'AWS/Route53', metricName: 'HealthCheckStatus', dimension: 'HealthCheckId', region: 'us-east-1' } as const;

// ---- Record sets (ROUTE53.md §2, §3, CFN-RS) ----

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'SOA', 'SRV', 'PTR', 'CAA', 'SPF', 'NAPTR', 'DS', 'HTTPS', 'SVCB', 'TLSA', 'SSHFP'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export const FAILOVER_ROLES = ['PRIMARY', 'SECONDARY'] as const;
export type FailoverRole = (typeof FAILOVER_ROLES)[number];

/** `TTL`: whole seconds, 0..2147483647. */
export const TTL_RANGE = { min: 0, max: 2147483647 } as const;
/** AWS recommends 60 s or less for records guarded by health checks; the gateways' default TTL. */
export const RECOMMENDED_MAX_TTL_SECONDS = 60;

/** `SetIdentifier`: 1..128 characters. */
export const SET_IDENTIFIER_LENGTH = { min: 1, max: 128 } as const;
/** `Weight`: 0..255; weight 0 is a standby. */
export const WEIGHT_RANGE = { min: 0, max: 255 } as const;
/** At most 100 weighted records per name and type. */
export const MAX_WEIGHTED_RECORDS = 100;
/** Multivalue answers hold up to 8 healthy records. */
export const MAX_MULTIVALUE_ANSWERS = 8;

/** A CloudFormation stack holds at most 500 resources (ROUTE53.md §3). */
export const CLOUDFORMATION_RESOURCE_LIMIT = 500;

// ---- Hosted zones (Route 53's records of a new hosted zone) ----

/** The SOA timers and TTLs of a new hosted zone, in seconds, and its serial. */
export const DEFAULT_SOA = { serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum: 86400, ttl: 900 } as const;
/** The TTL of a new hosted zone's apex NS records (two days). */
export const DEFAULT_NAME_SERVER_TTL = 172800;

// ---- Geolocation (ROUTE53.md §2 "Geolocation"; DG-geo-v "Location", API GeoLocation) ----

/** Route 53's continent codes. */
export const CONTINENTS = {
  AF: 'Africa',
  AN: 'Antarctica',
  AS: 'Asia',
  EU: 'Europe',
  NA: 'North America',
  OC: 'Oceania',
  SA: 'South America',
} as const;
export type ContinentCode = keyof typeof CONTINENTS;
export const CONTINENT_CODES = Object.keys(CONTINENTS) as ContinentCode[];

/**
 * The countries Route 53 associates with each continent (DG-geo-v "Location": "Here are the countries
 * that Amazon Route 53 associates with each continent"), ISO 3166-1 alpha-2 plus XK. Route 53's own
 * table, not a GeoIP database's continent field: RU, TR and CY are Europe here, AM, AZ and GE Asia.
 */
const COUNTRIES_BY_CONTINENT: Readonly<Record<ContinentCode, string>> = {
  AF: 'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW',
  AN: 'AQ GS TF',
  AS: 'AE AF AM AZ BD BH BN BT CC CN GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TM TW UZ VN YE',
  EU: 'AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM TR UA VA XK',
  NA: 'AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI PA PM PR SV SX TC TT US VC VG VI',
  OC: 'AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TL TO TV UM VU WF WS',
  SA: 'AR BO BR CL CO EC FK GF GY PE PY SR UY VE',
};

/** Country code -> the continent Route 53 associates it with. */
export const COUNTRY_CONTINENT: ReadonlyMap<string, ContinentCode> = (() => {
  const out = new Map<string, ContinentCode>();
  for (const continent of CONTINENT_CODES) for (const c of COUNTRIES_BY_CONTINENT[continent].split(' ')) out.set(c, continent);
  return out;
})();

/** Countries Route 53 refuses for geolocation records: "No data is available about IP addresses for these countries". */
export const UNSUPPORTED_GEO_COUNTRIES: readonly string[] = ['BV', 'CX', 'EH', 'HM'];

/** The default location of a geolocation group: `CountryCode: '*'`. */
export const DEFAULT_GEO_LOCATION = '*';

/**
 * Subdivisions by country: the US states and DC (API GeoLocation: "the two-letter code for a state of
 * the United States"; territories such as PR are countries), and the Ukrainian subdivisions Route 53
 * lists through ListGeoLocations (Crimea 43, Donetsk 14, Luhansk 09; our reading of that list).
 */
export const GEO_SUBDIVISIONS: Readonly<Record<string, readonly string[]>> = {
  US: 'AK AL AR AZ CA CO CT DC DE FL GA HI IA ID IL IN KS KY LA MA MD ME MI MN MO MS MT NC ND NE NH NJ NM NV NY OH OK OR PA RI SC SD TN TX UT VA VT WA WI WV WY'.split(' '),
  UA: ['43', '14', '09'],
};

// ---- Latency (ROUTE53.md §2 "Latency"; API ResourceRecordSet Region) ----

/** The regions a latency record may name (the API's `ResourceRecordSetRegion`). */
export const LATENCY_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'ca-west-1', 'mx-central-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2',
  'me-south-1', 'me-central-1', 'il-central-1', 'af-south-1', 'sa-east-1',
  'cn-north-1', 'cn-northwest-1', 'us-gov-east-1', 'us-gov-west-1', 'eusc-de-east-1',
] as const;

/**
 * Where each latency region is: AWS names each region by its city or area; these are that city's
 * coordinates (latitude, longitude in degrees; our choice, for the distance approximation of latency
 * the simulation and the self-hosted node use, never for Route 53's own measurements).
 */
export const REGION_COORDINATES: Readonly<Record<string, readonly [number, number]>> = {
  'us-east-1': [39.04, -77.49], // N. Virginia (Ashburn)
  'us-east-2': [39.96, -83.0], // Ohio (Columbus)
  'us-west-1': [37.77, -122.42], // N. California (San Francisco)
  'us-west-2': [45.52, -122.68], // Oregon (Portland)
  'ca-central-1': [45.5, -73.57], // Canada (Montreal)
  'ca-west-1': [51.05, -114.07], // Calgary
  'mx-central-1': [20.59, -100.39], // Mexico (Querétaro)
  'eu-west-1': [53.35, -6.26], // Ireland (Dublin)
  'eu-west-2': [51.51, -0.13], // London
  'eu-west-3': [48.86, 2.35], // Paris
  'eu-central-1': [50.11, 8.68], // Frankfurt
  'eu-central-2': [47.37, 8.54], // Zurich
  'eu-north-1': [59.33, 18.07], // Stockholm
  'eu-south-1': [45.46, 9.19], // Milan
  'eu-south-2': [41.65, -0.88], // Spain (Aragón, Zaragoza)
  'ap-southeast-1': [1.29, 103.85], // Singapore
  'ap-southeast-2': [-33.87, 151.21], // Sydney
  'ap-southeast-3': [-6.21, 106.85], // Jakarta
  'ap-southeast-4': [-37.81, 144.96], // Melbourne
  'ap-southeast-5': [3.14, 101.69], // Malaysia (Kuala Lumpur)
  'ap-southeast-6': [-36.85, 174.76], // New Zealand (Auckland)
  'ap-southeast-7': [13.76, 100.5], // Thailand (Bangkok)
  'ap-northeast-1': [35.68, 139.69], // Tokyo
  'ap-northeast-2': [37.57, 126.98], // Seoul
  'ap-northeast-3': [34.69, 135.5], // Osaka
  'ap-east-1': [22.32, 114.17], // Hong Kong
  'ap-east-2': [25.03, 121.57], // Taipei
  'ap-south-1': [19.08, 72.88], // Mumbai
  'ap-south-2': [17.39, 78.49], // Hyderabad
  'me-south-1': [26.07, 50.56], // Bahrain
  'me-central-1': [25.2, 55.27], // UAE (Dubai)
  'il-central-1': [32.09, 34.78], // Tel Aviv
  'af-south-1': [-33.92, 18.42], // Cape Town
  'sa-east-1': [-23.55, -46.63], // São Paulo
  'cn-north-1': [39.9, 116.41], // Beijing
  'cn-northwest-1': [38.49, 106.23], // Ningxia (Yinchuan)
  'us-gov-east-1': [39.96, -83.0], // GovCloud (US-East), Ohio
  'us-gov-west-1': [45.52, -122.68], // GovCloud (US-West), Oregon
  'eusc-de-east-1': [52.41, 13.06], // European Sovereign Cloud, Brandenburg (Potsdam)
};

/** The country each latency region's city is in (for a client "near" a region). */
export const REGION_COUNTRIES: Readonly<Record<string, string>> = {
  'us-east-1': 'US',
  'us-east-2': 'US',
  'us-west-1': 'US',
  'us-west-2': 'US',
  'ca-central-1': 'CA',
  'ca-west-1': 'CA',
  'mx-central-1': 'MX',
  'eu-west-1': 'IE',
  'eu-west-2': 'GB',
  'eu-west-3': 'FR',
  'eu-central-1': 'DE',
  'eu-central-2': 'CH',
  'eu-north-1': 'SE',
  'eu-south-1': 'IT',
  'eu-south-2': 'ES',
  'ap-southeast-1': 'SG',
  'ap-southeast-2': 'AU',
  'ap-southeast-3': 'ID',
  'ap-southeast-4': 'AU',
  'ap-southeast-5': 'MY',
  'ap-southeast-6': 'NZ',
  'ap-southeast-7': 'TH',
  'ap-northeast-1': 'JP',
  'ap-northeast-2': 'KR',
  'ap-northeast-3': 'JP',
  'ap-east-1': 'HK',
  'ap-east-2': 'TW',
  'ap-south-1': 'IN',
  'ap-south-2': 'IN',
  'me-south-1': 'BH',
  'me-central-1': 'AE',
  'il-central-1': 'IL',
  'af-south-1': 'ZA',
  'sa-east-1': 'BR',
  'cn-north-1': 'CN',
  'cn-northwest-1': 'CN',
  'us-gov-east-1': 'US',
  'us-gov-west-1': 'US',
  'eusc-de-east-1': 'DE',
};

// ---- IP-based routing (ROUTE53.md §2 "IP-based"; API CidrRoutingConfig, CidrCollection) ----

/** Block prefix lengths a CIDR collection accepts, and the longest client prefix Route 53 decides on. */
export const CIDR_PREFIX_LIMITS = { ipv4: { min: 1, max: 24 }, ipv6: { min: 1, max: 48 } } as const;
/** A collection holds at most this many blocks. */
export const MAX_CIDR_BLOCKS_PER_COLLECTION = 1000;
/** `CollectionName`: 1..64 of letters, digits, `_` and `-`. */
export const CIDR_COLLECTION_NAME = /^[0-9A-Za-z_-]{1,64}$/;
/** A location name: 1..16 of letters, digits, `_` and `-` (`*` is the default record's location). */
export const CIDR_LOCATION_NAME = /^[0-9A-Za-z_-]{1,16}$/;
/** The location of the default IP-based record. */
export const DEFAULT_CIDR_LOCATION = '*';

// ---- Aliases and routing trees (ROUTE53.md §2 "Alias records and EvaluateTargetHealth") ----

/** The hosted zone id every CloudFront distribution alias names; CloudFront refuses EvaluateTargetHealth. */
export const CLOUDFRONT_HOSTED_ZONE_ID = 'Z2FDTNDATAQYW2';
/** How deep aliases may nest (alias -> group -> alias ...): a guard of this library (our choice). */
export const MAX_ALIAS_DEPTH = 8;
/** At most 100 records per name and type for weighted, latency, geolocation and IP-based routing. */
export const MAX_POLICY_RECORDS = 100;
