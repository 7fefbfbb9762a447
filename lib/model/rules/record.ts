/**
 * The rules for one record set (ROUTE53.md §3).
 */
import { isIPv4, isIPv6 } from 'net';
import { TargetCapabilities } from '../capabilities';
import {
  CIDR_LOCATION_NAME,
  CLOUDFRONT_HOSTED_ZONE_ID,
  CONTINENT_CODES,
  COUNTRY_CONTINENT,
  DEFAULT_CIDR_LOCATION,
  DEFAULT_GEO_LOCATION,
  FAILOVER_ROLES,
  GEO_SUBDIVISIONS,
  LATENCY_REGIONS,
  RECOMMENDED_MAX_TTL_SECONDS,
  RECORD_TYPES,
  SET_IDENTIFIER_LENGTH,
  TTL_RANGE,
  UNSUPPORTED_GEO_COUNTRIES,
  WEIGHT_RANGE,
} from '../facts';
import { Finding, FindingList, recordSubject } from '../findings';
import { dnsNameProblem } from '../names';
import { isUnresolved } from '../tokens';
import { isAliasInZone, RecordSetModel, routingFieldsOf, routingPolicyOf } from '../types';
import { inRange, known } from './checks';

function valueProblem(recordType: string, value: string): string | undefined {
  if (isUnresolved(value)) return undefined;
  switch (recordType) {
    case 'A': return isIPv4(value) ? undefined : `'${value}' is not an IPv4 address`;
    case 'AAAA': return isIPv6(value) ? undefined : `'${value}' is not an IPv6 address`;
    case 'CNAME': {
      const p = dnsNameProblem(value);
      return p ? `'${value}' is not a host name: ${p}` : undefined;
    }
    default: return undefined;
  }
}

const VALUE_KINDS: Record<string, string> = { A: 'IPv4 addresses', AAAA: 'IPv6 addresses' };

/** Rules for one record set (ROUTE53.md §3). */
export function validateRecordSet(r: RecordSetModel, caps?: TargetCapabilities): Finding[] {
  const f = new FindingList(recordSubject(r));
  const nameProblem = dnsNameProblem(r.name);
  if (nameProblem) f.error('record/name', `record name '${r.name}' is not a valid DNS name: ${nameProblem}`, 'give a name such as api.example.com (letters, digits and \'-\', labels of at most 63 characters)');
  if (r.hostedZoneId === undefined && r.hostedZoneName === undefined) {
    f.error('record/zone', 'the record has no hosted zone', 'give a hosted zone id or name');
  }
  if (!(RECORD_TYPES as readonly string[]).includes(r.recordType)) {
    f.error('record/type', `record type '${r.recordType}' is not supported`, `use one of ${RECORD_TYPES.join(', ')}`);
  }
  const alias = r.aliasTarget;
  if (alias) {
    f.list.push(...aliasProblems(r));
  } else if (r.ttl === undefined) {
    f.error('record/ttl', 'the record has no TTL', `records that are not aliases need one (${RECOMMENDED_MAX_TTL_SECONDS} seconds or less with health checks)`);
  }
  if (known(r.ttl) && !inRange(r.ttl!, TTL_RANGE)) {
    f.error('record/ttl', `TTL ${r.ttl} is out of range`, `use whole seconds from ${TTL_RANGE.min} to ${TTL_RANGE.max} (${RECOMMENDED_MAX_TTL_SECONDS} or less with health checks)`);
  }
  if (!alias && r.values.length === 0) f.error('record/values', 'the record has no values', 'give at least one');
  for (const v of r.values) {
    const p = valueProblem(r.recordType, v);
    if (p) f.error('record/value', p, `an ${r.recordType} record needs ${VALUE_KINDS[r.recordType] ?? 'a host name'}`);
  }
  if (r.recordType === 'CNAME' && r.values.length > 1) {
    f.error('record/value', `a CNAME record holds one value, got ${r.values.length}`, 'make one record per target');
  }
  const policies = routingFieldsOf(r);
  if (policies.length > 1) {
    f.error('record/policy', `the record sets ${policies.join(' and ')}`, 'a record has one routing policy: keep one of them');
  }
  const policy = routingPolicyOf(r);
  if (policy !== 'simple') {
    if (r.setIdentifier === undefined || r.setIdentifier === '') {
      f.error('record/set-identifier', `a ${policy} record needs a set identifier`, 'give each member a unique, stable name');
    }
  } else if (r.setIdentifier !== undefined) {
    f.error(
      'record/set-identifier',
      `set identifier '${r.setIdentifier}' is given but the record has no routing policy`,
      'add a routing policy (weight, failover role, multivalue answer, location, region or CIDR location), or remove the identifier',
    );
  }
  const idLength = r.setIdentifier !== undefined && !isUnresolved(r.setIdentifier) ? r.setIdentifier.length : SET_IDENTIFIER_LENGTH.min;
  if (idLength < SET_IDENTIFIER_LENGTH.min || idLength > SET_IDENTIFIER_LENGTH.max) {
    f.error(
      'record/set-identifier',
      `set identifier '${r.setIdentifier!.slice(0, 40)}...' has ${idLength} characters`,
      `use ${SET_IDENTIFIER_LENGTH.min} to ${SET_IDENTIFIER_LENGTH.max}`,
    );
  }
  if (known(r.weight) && !inRange(r.weight!, WEIGHT_RANGE)) {
    f.error('record/weight', `weight ${r.weight} is out of range`, `use a whole number from ${WEIGHT_RANGE.min} to ${WEIGHT_RANGE.max} (0 keeps the member as a standby)`);
  }
  if (r.failover !== undefined && !(FAILOVER_ROLES as readonly string[]).includes(r.failover)) {
    f.error('record/failover', `failover role '${r.failover}' is not PRIMARY or SECONDARY`, 'use PRIMARY for the member that answers while healthy, SECONDARY for the standby');
  }
  if ((policy === 'weighted' || policy === 'multivalue') && r.values.length > 1) {
    f.error('record/value', `a ${policy} record holds one value, got ${r.values.length} (${r.values.join(', ')})`, 'make one member per value');
  }
  if (policy === 'multivalue' && r.recordType === 'CNAME') {
    f.error('record/multivalue-cname', 'multivalue answer routing does not accept CNAME records', 'give the endpoints IP addresses (A or AAAA)');
  }
  if (policy === 'multivalue' && alias) {
    f.error('record/multivalue-alias', 'a multivalue answer record cannot be an alias', 'give the member its address, or point a weighted or failover alias at a multivalue group');
  }
  if (r.geoLocation !== undefined) f.list.push(...geoLocationProblems(r));
  const own = caps?.ownRegions ?? [];
  if (r.region !== undefined && known(r.region) && !(LATENCY_REGIONS as readonly string[]).includes(r.region) && !own.includes(r.region)) {
    f.error(
      'record/region',
      `region '${r.region}' is not a region latency records can name${caps ? ` in ${caps.name}` : ''}`,
      own.length > 0 ? `use one of the stack's regions (${own.join(', ')}) or an AWS region` : `use one of ${LATENCY_REGIONS.join(', ')}`,
    );
  }
  if (alias && caps?.aliasToAwsResources === false && !isAliasInZone(r) && known(alias.dnsName)) {
    f.error(
      'record/alias-aws-resource',
      `the alias points at ${alias.dnsName}, outside the record's zone: aliases to AWS resources exist only on Route 53, and ${caps.name} cannot serve them`,
      'point the member at an address or a host name, or at another gateway of the same zone',
    );
  }
  if (r.cidrRoutingConfig !== undefined) {
    const { collectionId, locationName } = r.cidrRoutingConfig;
    if (!collectionId) f.error('record/cidr-collection', 'the IP-based record names no CIDR collection', 'give the collection its locations come from');
    if (known(locationName) && locationName !== DEFAULT_CIDR_LOCATION && !CIDR_LOCATION_NAME.test(locationName)) {
      f.error(
        'record/cidr-location',
        `CIDR location '${locationName}' is not a valid location name`,
        `use 1 to 16 letters, digits, '_' or '-', or '${DEFAULT_CIDR_LOCATION}' for the default record`,
      );
    }
  }
  return f.list;
}

/** Rules of an alias record (ROUTE53.md §2 "Alias records", §3). */
function aliasProblems(r: RecordSetModel): Finding[] {
  const f = new FindingList(recordSubject(r));
  const a = r.aliasTarget!;
  if (r.ttl !== undefined) f.error('record/alias-ttl', `an alias record has no TTL of its own, but TTL ${r.ttl} is set`, 'remove it: the target\'s TTL applies');
  if (r.values.length > 0) f.error('record/alias-values', `an alias record answers with its target, but it also lists values (${r.values.join(', ')})`, 'remove the values, or make it a record that is not an alias');
  if (known(a.dnsName)) {
    const p = dnsNameProblem(a.dnsName);
    if (p) f.error('record/alias-target', `alias target '${a.dnsName}' is not a valid DNS name: ${p}`, 'give the DNS name of the target record or AWS resource');
  }
  if (a.hostedZoneId === undefined && a.hostedZoneName === undefined) {
    f.error('record/alias-target', `alias target '${a.dnsName}' names no hosted zone`, 'give the hosted zone id of the target (the record\'s own zone for a record of the zone)');
  }
  if (a.hostedZoneId === CLOUDFRONT_HOSTED_ZONE_ID && a.evaluateTargetHealth) {
    f.error(
      'record/alias-cloudfront-health',
      `alias target '${a.dnsName}' is a CloudFront distribution (hosted zone ${CLOUDFRONT_HOSTED_ZONE_ID}), which refuses EvaluateTargetHealth`,
      'set evaluateTargetHealth to false, and guard the record with a health check of its own if it must fail over',
    );
  }
  return f.list;
}

/** Rules of a geolocation record's location (ROUTE53.md §2 "Geolocation", API GeoLocation). */
function geoLocationProblems(r: RecordSetModel): Finding[] {
  const f = new FindingList(recordSubject(r));
  const g = r.geoLocation!;
  const continent = g.continentCode;
  const country = g.countryCode;
  const subdivision = g.subdivisionCode;
  if (continent !== undefined && (country !== undefined || subdivision !== undefined)) {
    f.error('record/geolocation', `the location names continent ${continent} and also ${country !== undefined ? `country ${country}` : `subdivision ${subdivision}`}`, 'give a continent, or a country (and a subdivision of it), not both');
    return f.list;
  }
  if (continent === undefined && country === undefined) {
    f.error('record/geolocation', subdivision !== undefined ? `subdivision ${subdivision} is given without its country` : 'the geolocation record names no location', subdivision !== undefined ? 'give its country too (US for the US states)' : `give a continent, a country, or '${DEFAULT_GEO_LOCATION}' for the default`);
    return f.list;
  }
  if (continent !== undefined && known(continent) && !(CONTINENT_CODES as readonly string[]).includes(continent)) {
    f.error('record/geolocation', `continent '${continent}' is not a Route 53 continent code`, `use one of ${CONTINENT_CODES.join(', ')}`);
  }
  if (country !== undefined && known(country)) {
    if (country === DEFAULT_GEO_LOCATION) {
      if (subdivision !== undefined) f.error('record/geolocation', `the default location '${DEFAULT_GEO_LOCATION}' has subdivision ${subdivision}`, 'remove the subdivision');
    } else if (UNSUPPORTED_GEO_COUNTRIES.includes(country)) {
      f.error('record/geolocation', `country ${country} has no geolocation data in Route 53 (it refuses ${UNSUPPORTED_GEO_COUNTRIES.join(', ')})`, 'route its clients with the continent record or the default');
    } else if (!COUNTRY_CONTINENT.has(country)) {
      f.error('record/geolocation', `country '${country}' is not a country code Route 53 knows`, 'use an ISO 3166-1 alpha-2 code in upper case, for example DE or US (XK for Kosovo)');
    } else if (subdivision !== undefined && known(subdivision)) {
      const listed = GEO_SUBDIVISIONS[country];
      if (!listed) {
        f.error('record/geolocation', `country ${country} has no subdivisions in Route 53`, `use a subdivision of ${Object.keys(GEO_SUBDIVISIONS).join(' or ')}, or the country alone`);
      } else if (!listed.includes(subdivision)) {
        f.error('record/geolocation', `subdivision '${subdivision}' is not one of ${country}'s`, `use one of ${listed.join(', ')}`);
      }
    }
  }
  return f.list;
}
