/**
 * The rules for one record set (ROUTE53.md §3).
 */
import { isIPv4, isIPv6 } from 'net';
import { FAILOVER_ROLES, RECORD_TYPES, SET_IDENTIFIER_LENGTH, TTL_RANGE, WEIGHT_RANGE, RECOMMENDED_MAX_TTL_SECONDS } from '../facts';
import { Finding, FindingList, recordSubject } from '../findings';
import { dnsNameProblem } from '../names';
import { isUnresolved } from '../tokens';
import { RecordSetModel, routingPolicyOf } from '../types';
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
export function validateRecordSet(r: RecordSetModel): Finding[] {
  const f = new FindingList(recordSubject(r));
  const nameProblem = dnsNameProblem(r.name);
  if (nameProblem) f.error('record/name', `record name '${r.name}' is not a valid DNS name: ${nameProblem}`, 'give a name such as api.example.com (letters, digits and \'-\', labels of at most 63 characters)');
  if (r.hostedZoneId === undefined && r.hostedZoneName === undefined) {
    f.error('record/zone', 'the record has no hosted zone', 'give a hosted zone id or name');
  }
  if (!(RECORD_TYPES as readonly string[]).includes(r.recordType)) {
    f.error('record/type', `record type '${r.recordType}' is not supported`, `use one of ${RECORD_TYPES.join(', ')}`);
  }
  if (r.ttl === undefined) {
    f.error('record/ttl', 'the record has no TTL', `records that are not aliases need one (${RECOMMENDED_MAX_TTL_SECONDS} seconds or less with health checks)`);
  } else if (known(r.ttl) && !inRange(r.ttl, TTL_RANGE)) {
    f.error('record/ttl', `TTL ${r.ttl} is out of range`, `use whole seconds from ${TTL_RANGE.min} to ${TTL_RANGE.max} (${RECOMMENDED_MAX_TTL_SECONDS} or less with health checks)`);
  }
  if (r.values.length === 0) f.error('record/values', 'the record has no values', 'give at least one');
  for (const v of r.values) {
    const p = valueProblem(r.recordType, v);
    if (p) f.error('record/value', p, `an ${r.recordType} record needs ${VALUE_KINDS[r.recordType] ?? 'a host name'}`);
  }
  if (r.recordType === 'CNAME' && r.values.length > 1) {
    f.error('record/value', `a CNAME record holds one value, got ${r.values.length}`, 'make one record per target');
  }
  const policies = [r.weight !== undefined && 'weight', r.failover !== undefined && 'failover', r.multiValueAnswer && 'multiValueAnswer'].filter(Boolean);
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
      'add a weight, failover role or multivalue answer, or remove the identifier',
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
  return f.list;
}
