/**
 * The rules for the records of one name and type (a gateway), across names (CNAME exclusivity) and
 * across health checks (references); and the warnings a failover user wants at synth
 * (ROUTE53.md §2, §3).
 */
import { DEFAULT_GEO_LOCATION, MAX_POLICY_RECORDS, MAX_WEIGHTED_RECORDS, RECOMMENDED_MAX_TTL_SECONDS } from '../facts';
import { finding, Finding, FindingList, FindingSubject, healthCheckSubject, zoneOfRecord } from '../findings';
import { normalizeName } from '../names';
import { isUnresolved } from '../tokens';
import { FailoverModel, GeoLocationModel, RecordSetModel, routingPolicyOf, zoneKeyOf } from '../types';
import { known } from './checks';

const zoneKey = zoneKeyOf;

/** A geolocation's identity: `continent EU`, `country US`, `subdivision US-CA`, `default`. */
export function geoKey(g: GeoLocationModel): string {
  if (g.continentCode !== undefined) return `continent ${g.continentCode}`;
  if (g.countryCode === DEFAULT_GEO_LOCATION) return 'the default location';
  if (g.subdivisionCode !== undefined) return `subdivision ${g.countryCode}-${g.subdivisionCode}`;
  return `country ${g.countryCode}`;
}

/** The records that answer one name and type in one zone: the unit of routing. */
export interface RecordGroup {
  readonly name: string;
  readonly recordType: string;
  /** The zone the records name (hosted zone id, else zone name), when they name one. */
  readonly zone?: string;
  readonly records: RecordSetModel[];
}

/**
 * The record groups of a list of records, in the order of their first record. Found by name, then
 * among the few groups of that name by zone and type: no key string is made per record (a fleet's
 * model has tens of thousands, and every validation groups them).
 */
export function groupRecords(records: readonly RecordSetModel[]): RecordGroup[] {
  const byName = new Map<string, RecordGroup | RecordGroup[]>();
  const out: RecordGroup[] = [];
  for (const r of records) {
    const name = normalizeName(r.name);
    const found = byName.get(name);
    let g: RecordGroup | undefined;
    if (found !== undefined) {
      if (Array.isArray(found)) {
        for (const x of found) {
          if (x.recordType === r.recordType && sameZone(x.records[0], r)) {
            g = x;
            break;
          }
        }
      } else if (found.recordType === r.recordType && sameZone(found.records[0], r)) {
        g = found;
      }
    }
    if (g === undefined) {
      const zone = zoneOfRecord(r);
      g = zone !== undefined ? { name, recordType: r.recordType, zone, records: [] } : { name, recordType: r.recordType, records: [] };
      if (found === undefined) byName.set(name, g);
      else if (Array.isArray(found)) found.push(g);
      else byName.set(name, [found, g]);
      out.push(g);
    }
    g.records.push(r);
  }
  return out;
}

/** Whether two records name the same zone: `zoneKeyOf` equality, without making the keys. */
export function sameZone(a: Pick<RecordSetModel, 'hostedZoneId' | 'hostedZoneName'>, b: Pick<RecordSetModel, 'hostedZoneId' | 'hostedZoneName'>): boolean {
  if (a.hostedZoneId !== undefined || b.hostedZoneId !== undefined) return a.hostedZoneId === b.hostedZoneId;
  return zoneNameKey(a.hostedZoneName) === zoneNameKey(b.hostedZoneName);
}

/** The zone name part of `zoneKeyOf`. */
function zoneNameKey(name: string | undefined): string {
  return (name ?? '').toLowerCase().replace(/\.$/, '');
}

export function groupSubject(group: Pick<RecordGroup, 'name' | 'recordType' | 'zone'>): FindingSubject {
  return { kind: 'group', name: group.name, recordType: group.recordType, ...(group.zone !== undefined ? { zone: group.zone } : {}) };
}

/** Rules for the records of one name and type (ROUTE53.md §3). */
export function validateGroup(group: RecordGroup): Finding[] {
  const f = new FindingList(groupSubject(group));
  const records = group.records;
  const label = `${group.name} ${group.recordType}`;
  const policies = new Set(records.map(routingPolicyOf));
  if (policies.size > 1) {
    f.error('group/mixed-policy', `records of ${label} use several routing policies (${[...policies].join(', ')})`, 'one name and type takes one policy: give every member the same one');
    return f.list;
  }
  const policy = records.length > 0 ? routingPolicyOf(records[0]) : 'simple';
  if (policy === 'simple' && records.length > 1) {
    f.error('group/duplicate', `${records.length} simple records for ${label}`, 'merge their values into one record, or give them a routing policy');
  }
  const ids = new Map<string, number>();
  for (const r of records) {
    if (r.setIdentifier !== undefined) ids.set(r.setIdentifier, (ids.get(r.setIdentifier) ?? 0) + 1);
  }
  for (const [id, count] of ids) {
    if (count > 1) f.error('group/set-identifier-unique', `set identifier '${id}' is used by ${count} records of ${label}`, 'each member needs its own (endpoint names must be unique)');
  }
  const ttls = [...new Set(records.map((r) => r.ttl).filter((t) => t !== undefined && !isUnresolved(t)))];
  if (ttls.length > 1) {
    f.error('group/mixed-ttl', `records of ${label} have different TTLs (${ttls.join(', ')} s)`, 'give the whole group one TTL');
  }
  if (policy === 'weighted' && records.length > MAX_WEIGHTED_RECORDS) {
    f.error('group/weighted-limit', `${records.length} weighted records for ${label}`, `Route 53 allows at most ${MAX_WEIGHTED_RECORDS}`);
  } else if ((policy === 'latency' || policy === 'geolocation' || policy === 'ip-based') && records.length > MAX_POLICY_RECORDS) {
    f.error('group/record-limit', `${records.length} ${policy} records for ${label}`, `Route 53 allows at most ${MAX_POLICY_RECORDS}; group them with aliases to gateways of their own`);
  }
  const once = (what: string, keyOf: (r: RecordSetModel) => string | undefined, fix: string) => {
    const seen = new Map<string, string[]>();
    for (const r of records) {
      const key = keyOf(r);
      if (key === undefined || isUnresolved(key)) continue;
      seen.set(key, [...(seen.get(key) ?? []), `'${r.setIdentifier}'`]);
    }
    for (const [key, members] of seen) {
      if (members.length > 1) f.error('group/duplicate-location', `${members.join(' and ')} both answer ${what} ${key} for ${label}`, fix);
    }
  };
  if (policy === 'geolocation') {
    once('location', (r) => geoKey(r.geoLocation!), 'give each location one record (widen or narrow one of them)');
    if (!records.some((r) => r.geoLocation?.countryCode === DEFAULT_GEO_LOCATION)) {
      f.warn(
        'group/geolocation-without-default',
        `${label} has no default record (location '${DEFAULT_GEO_LOCATION}'): clients from other places, and addresses that map to no location, get no answer`,
        `add a record for the default location '${DEFAULT_GEO_LOCATION}'`,
      );
    }
  }
  if (policy === 'latency') once('region', (r) => r.region, 'give each region one record; several endpoints of a region go into a gateway of their own, aliased from the latency record');
  if (policy === 'ip-based') {
    once('CIDR location', (r) => r.cidrRoutingConfig?.locationName, 'give each CIDR location one record');
    const collections = [...new Set(records.map((r) => r.cidrRoutingConfig?.collectionId).filter((c): c is string => c !== undefined))];
    if (collections.length > 1) {
      f.error('group/cidr-collections', `records of ${label} use ${collections.length} CIDR collections (${collections.join(', ')})`, 'all records of a name and type use one collection');
    }
  }
  if (policy === 'failover') {
    const primaries = records.filter((r) => r.failover === 'PRIMARY');
    const secondaries = records.filter((r) => r.failover === 'SECONDARY');
    if (primaries.length !== 1 || secondaries.length !== 1) {
      const desc = (rs: RecordSetModel[]) => (rs.length ? rs.map((r) => `'${r.setIdentifier}'`).join(', ') : 'none');
      f.error(
        'group/failover-pair',
        `${label} needs exactly one PRIMARY and one SECONDARY record; found ${primaries.length} primary (${desc(primaries)}) and ${secondaries.length} secondary (${desc(secondaries)})`,
        'give the gateway one primary and one secondary',
      );
    }
  }
  return f.list;
}

/** A CNAME cannot share its name with records of other types (RFC 1034 §3.6.2). */
export function validateCnameExclusivity(groups: readonly RecordGroup[], records: readonly RecordSetModel[]): Finding[] {
  const out: Finding[] = [];
  if (!groups.some((g) => g.recordType === 'CNAME')) return out;
  const typesByName = new Map<string, Set<string>>();
  for (const r of records) {
    const key = `${zoneKey(r)}|${normalizeName(r.name)}`;
    if (!typesByName.has(key)) typesByName.set(key, new Set());
    typesByName.get(key)!.add(r.recordType);
  }
  for (const g of groups) {
    if (g.recordType !== 'CNAME') continue;
    const types = typesByName.get(`${zoneKey(g.records[0])}|${g.name}`)!;
    if (types.size > 1) {
      out.push(finding(
        'error',
        'group/cname-exclusive',
        groupSubject(g),
        `${g.name} has a CNAME and also ${[...types].filter((t) => t !== 'CNAME').join(', ')} records`,
        'a CNAME cannot share its name with other types, use A/AAAA records or another name',
      ));
    }
  }
  return out;
}

/** Health-check references: ids are unique, and calculated checks do not nest or list themselves. */
export function validateReferences(model: FailoverModel): Finding[] {
  const out: Finding[] = [];
  const byId = new Map(model.healthChecks.map((h) => [h.id, h]));
  const seen = new Set<string>();
  for (const hc of model.healthChecks) {
    if (seen.has(hc.id)) out.push(finding('error', 'health-check/duplicate-id', healthCheckSubject(hc.id), `two health checks share the id '${hc.id}'`, 'give each its own construct id'));
    seen.add(hc.id);
    const children = hc.config.childHealthChecks;
    if (children === undefined || children.length === 0) continue;
    const subject = healthCheckSubject(hc.id);
    for (const child of children) {
      const target = byId.get(child);
      if (target && target.config.type === 'CALCULATED') {
        out.push(finding(
          'error',
          'health-check/calculated-child',
          subject,
          `child '${child}' is itself a CALCULATED health check`,
          'Route 53 does not nest calculated checks, list its children directly',
        ));
      }
      if (child === hc.id) {
        out.push(finding('error', 'health-check/calculated-child', subject, 'the check lists itself as a child', 'remove it'));
      }
    }
  }
  return out;
}

/** Warnings a failover user wants at synth: they do not stop deployment. */
export function failoverWarnings(group: RecordGroup): Finding[] {
  const f = new FindingList(groupSubject(group));
  const policy = group.records.length > 0 ? routingPolicyOf(group.records[0]) : 'simple';
  if (policy === 'simple') return f.list;
  const ttl = group.records.find((r) => known(r.ttl))?.ttl;
  if (ttl !== undefined && ttl > RECOMMENDED_MAX_TTL_SECONDS) {
    f.warn(
      'group/ttl-above-60',
      `TTL ${ttl} s: clients keep a failed answer for up to the TTL after failover`,
      `AWS recommends ${RECOMMENDED_MAX_TTL_SECONDS} s or less with health checks`,
    );
  }
  if (group.records.length === 1) {
    f.warn('group/single-endpoint', `${group.name} ${group.recordType} has a single endpoint, so there is nothing to fail over to`, 'add another endpoint');
  }
  for (const r of group.records) {
    // An alias that evaluates its target's health follows the target (tree rules check its leaves).
    if (r.healthCheckId === undefined && !r.aliasTarget?.evaluateTargetHealth) {
      f.warn('group/member-without-check', `member '${r.setIdentifier}' has no health check, so it always counts as healthy and is never taken out`, 'add a health check');
    }
  }
  return f.list;
}
