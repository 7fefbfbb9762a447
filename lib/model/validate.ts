/**
 * Validation of the Route 53 resource model: the rules of ROUTE53.md §1 and §3, written once.
 *
 * Every target (CloudFormation, Terraform, self-hosted) and the verifier call these functions with
 * the capabilities of the target at hand; nothing else re-implements a rule. A finding names the
 * resource, the bad value and the fix.
 */
import { isIPv4, isIPv6 } from 'net';
import { dnsNameProblem, isIpAddress, nonPublicAddressKind, normalizeName } from './names';
import { isUnresolved } from './tokens';
import {
  FailoverModel,
  HEALTH_CHECK_REGIONS,
  HEALTH_CHECK_TYPES,
  HealthCheckModel,
  RECORD_TYPES,
  RecordSetModel,
  routingPolicyOf,
} from './types';

export type Severity = 'error' | 'warning';

export interface Finding {
  readonly severity: Severity;
  /** Stable rule id, for example `health-check/request-interval`. */
  readonly rule: string;
  /** The health check id, or `name type` (plus ` [setIdentifier]`) for a record. */
  readonly resource: string;
  readonly message: string;
}

/** What a target can express. Route 53 targets refuse what Route 53 refuses. */
export interface TargetCapabilities {
  /** For messages: "CloudFormation", "Terraform", "the self-hosted target". */
  readonly name: string;
  /** Route 53's limits apply (intervals 10 or 30 s, public addresses, its regions). */
  readonly route53Limits: boolean;
  /** The artifact can express `Disabled` on a health check. */
  readonly disabledHealthChecks: boolean;
  /** CloudWatch alarm health checks are available. */
  readonly cloudWatchAlarmChecks: boolean;
  /** Route 53 ARC routing control health checks are available. */
  readonly recoveryControlChecks: boolean;
}

/** The shortest request interval the self-hosted checkers accept, in seconds. */
export const MIN_SELF_HOSTED_INTERVAL_SECONDS = 0.1;
export const MAX_WEIGHTED_RECORDS = 100;
export const MAX_CHILD_HEALTH_CHECKS = 256;
export const MAX_SEARCH_STRING = 255;
export const MAX_RESOURCE_PATH = 255;
export const MAX_SET_IDENTIFIER = 128;
/** Route 53's recommendation for records guarded by health checks. */
export const RECOMMENDED_MAX_TTL_SECONDS = 60;

export function recordLabel(r: Pick<RecordSetModel, 'name' | 'recordType' | 'setIdentifier'>): string {
  return `${r.name} ${r.recordType}${r.setIdentifier !== undefined ? ` [${r.setIdentifier}]` : ''}`;
}

class Findings {
  readonly list: Finding[] = [];
  constructor(private readonly resource: string) {}
  error(rule: string, message: string) {
    this.list.push({ severity: 'error', rule, resource: this.resource, message });
  }
  warn(rule: string, message: string) {
    this.list.push({ severity: 'warning', rule, resource: this.resource, message });
  }
}

const known = (v: unknown) => v !== undefined && !isUnresolved(v);
const isInt = (v: number) => Number.isInteger(v);

const ENDPOINT_TYPES = new Set(['HTTP', 'HTTPS', 'HTTP_STR_MATCH', 'HTTPS_STR_MATCH', 'TCP']);

/** Rules for one health check (ROUTE53.md §1). */
export function validateHealthCheck(hc: HealthCheckModel, caps: TargetCapabilities): Finding[] {
  const f = new Findings(`health check '${hc.id}'`);
  const c = hc.config;
  if (!(HEALTH_CHECK_TYPES as readonly string[]).includes(c.type)) {
    f.error('health-check/type', `type '${c.type}' is not a Route 53 health check type; use one of ${HEALTH_CHECK_TYPES.join(', ')}`);
    return f.list;
  }
  const endpoint = ENDPOINT_TYPES.has(c.type);
  const strMatch = c.type.endsWith('_STR_MATCH');
  const https = c.type.startsWith('HTTPS');

  const notFor = (field: string, value: unknown, what: string) => {
    if (value !== undefined) f.error('health-check/field-not-allowed', `${field} is set (${JSON.stringify(value)}) but ${what}; remove it`);
  };

  if (endpoint) {
    if (c.ipAddress === undefined && c.fullyQualifiedDomainName === undefined) {
      f.error('health-check/address', `an ${c.type} health check needs an IP address or a fully qualified domain name to probe; set ipAddress or fullyQualifiedDomainName`);
    }
    if (known(c.ipAddress)) {
      if (!isIpAddress(c.ipAddress!)) {
        f.error('health-check/ip-address', `ipAddress '${c.ipAddress}' is not an IPv4 or IPv6 address; give the endpoint's address, or use fullyQualifiedDomainName for a host name`);
      } else if (caps.route53Limits) {
        const kind = nonPublicAddressKind(c.ipAddress!);
        if (kind) {
          f.error('health-check/private-address', `ipAddress ${c.ipAddress} is a ${kind} address, which Route 53 health checkers cannot reach; give the endpoint's public address, or use the self-hosted target whose checkers run inside your network`);
        }
      }
    }
    if (known(c.fullyQualifiedDomainName)) {
      const problem = dnsNameProblem(c.fullyQualifiedDomainName!);
      if (problem || c.fullyQualifiedDomainName!.length > 255) {
        f.error('health-check/fqdn', `fullyQualifiedDomainName '${c.fullyQualifiedDomainName}' is not a valid domain name: ${problem ?? 'it is longer than 255 characters'}`);
      }
    }
    if (c.type === 'TCP') {
      if (c.port === undefined) f.error('health-check/port', 'a TCP health check needs a port; set port (1..65535)');
      notFor('resourcePath', c.resourcePath, 'TCP health checks send no request');
      notFor('searchString', c.searchString, 'TCP health checks read no response');
    }
    if (known(c.port) && (!isInt(c.port!) || c.port! < 1 || c.port! > 65535)) {
      f.error('health-check/port', `port ${c.port} is out of range; use a port from 1 to 65535`);
    }
    if (known(c.resourcePath) && c.resourcePath!.length > MAX_RESOURCE_PATH) {
      f.error('health-check/resource-path', `resourcePath has ${c.resourcePath!.length} characters ('${c.resourcePath!.slice(0, 30)}...'); Route 53 accepts at most ${MAX_RESOURCE_PATH}`);
    }
    if (strMatch) {
      if (c.searchString === undefined || c.searchString === '') {
        f.error('health-check/search-string', `an ${c.type} health check needs a searchString; set one, or use type ${c.type.replace('_STR_MATCH', '')}`);
      } else if (known(c.searchString) && c.searchString.length > MAX_SEARCH_STRING) {
        f.error('health-check/search-string', `searchString has ${c.searchString.length} characters; Route 53 accepts at most ${MAX_SEARCH_STRING}`);
      }
    } else if (c.type !== 'TCP') {
      notFor('searchString', c.searchString, `type ${c.type} does not match strings (use ${c.type}_STR_MATCH)`);
    }
    if (c.enableSni !== undefined && !https) notFor('enableSni', c.enableSni, `SNI applies to HTTPS health checks only, not ${c.type}`);

    if (known(c.requestInterval)) {
      const iv = c.requestInterval!;
      if (caps.route53Limits) {
        if (iv !== 10 && iv !== 30) {
          f.error('health-check/request-interval', `requestInterval ${iv} s is not allowed by Route 53; use 10 or 30 seconds (shorter intervals are available in the self-hosted target only)`);
        }
      } else if (!(iv >= MIN_SELF_HOSTED_INTERVAL_SECONDS)) {
        f.error('health-check/request-interval', `requestInterval ${iv} s is too short; ${caps.name} accepts ${MIN_SELF_HOSTED_INTERVAL_SECONDS} s (100 ms) and more`);
      }
    }
    if (known(c.failureThreshold) && (!isInt(c.failureThreshold!) || c.failureThreshold! < 1 || c.failureThreshold! > 10)) {
      f.error('health-check/failure-threshold', `failureThreshold ${c.failureThreshold} is out of range; use a whole number from 1 to 10`);
    }
    if (c.regions !== undefined && !isUnresolved(c.regions)) {
      const seen = new Set<string>();
      for (const r of c.regions) {
        if (seen.has(r)) f.error('health-check/regions', `region '${r}' is listed twice; list each region once`);
        seen.add(r);
        if (caps.route53Limits && !(HEALTH_CHECK_REGIONS as readonly string[]).includes(r)) {
          f.error('health-check/regions', `region '${r}' has no Route 53 health checkers; use some of ${HEALTH_CHECK_REGIONS.join(', ')}`);
        }
      }
      if (caps.route53Limits && c.regions.length < 3) {
        f.error('health-check/regions', `${c.regions.length} region(s) listed (${c.regions.join(', ') || 'none'}); Route 53 needs at least 3, or leave regions unset for all 8`);
      }
    }
    for (const field of ['connectTimeout', 'statusTimeout', 'bodyTimeout'] as const) {
      const value = c[field];
      if (!known(value)) continue;
      if (caps.route53Limits) {
        f.error('health-check/timeout', `${field} ${value} s is set, but Route 53's probe timeouts are fixed (4 s to connect, 10 s for TCP, 2 s for the status, 2 s for the body); remove it, or use the self-hosted target`);
      } else if (!(value! >= MIN_SELF_HOSTED_INTERVAL_SECONDS)) {
        f.error('health-check/timeout', `${field} ${value} s is too short; ${caps.name} accepts ${MIN_SELF_HOSTED_INTERVAL_SECONDS} s (100 ms) and more`);
      }
    }
    if (c.type === 'TCP') notFor('statusTimeout', c.statusTimeout, 'TCP health checks wait for no status');
    if (!strMatch) notFor('bodyTimeout', c.bodyTimeout, `${c.type} health checks read no body (only *_STR_MATCH do)`);
    notFor('childHealthChecks', c.childHealthChecks, `only CALCULATED health checks have children, this one is ${c.type}`);
    notFor('healthThreshold', c.healthThreshold, `only CALCULATED health checks have a health threshold, this one is ${c.type}`);
    notFor('alarmIdentifier', c.alarmIdentifier, `only CLOUDWATCH_METRIC health checks watch an alarm, this one is ${c.type}`);
  } else {
    const what = `${c.type} health checks probe no endpoint`;
    notFor('ipAddress', c.ipAddress, what);
    notFor('fullyQualifiedDomainName', c.fullyQualifiedDomainName, what);
    notFor('port', c.port, what);
    notFor('resourcePath', c.resourcePath, what);
    notFor('searchString', c.searchString, what);
    notFor('requestInterval', c.requestInterval, what);
    notFor('failureThreshold', c.failureThreshold, what);
    notFor('enableSni', c.enableSni, what);
    notFor('regions', c.regions, what);
    notFor('connectTimeout', c.connectTimeout, what);
    notFor('statusTimeout', c.statusTimeout, what);
    notFor('bodyTimeout', c.bodyTimeout, what);
    if (c.measureLatency) notFor('measureLatency', c.measureLatency, what);
  }

  if (c.type === 'CALCULATED') {
    const children = c.childHealthChecks ?? [];
    if (children.length > MAX_CHILD_HEALTH_CHECKS) {
      f.error('health-check/children', `${children.length} child health checks; Route 53 allows at most ${MAX_CHILD_HEALTH_CHECKS}`);
    }
    if (new Set(children).size !== children.length) {
      f.error('health-check/children', 'a child health check is listed twice; list each child once');
    }
    if (c.healthThreshold === undefined) {
      f.error('health-check/health-threshold', 'a CALCULATED health check needs a healthThreshold (0..256): how many children must be healthy');
    } else if (known(c.healthThreshold) && (!isInt(c.healthThreshold) || c.healthThreshold < 0 || c.healthThreshold > 256)) {
      f.error('health-check/health-threshold', `healthThreshold ${c.healthThreshold} is out of range; use a whole number from 0 to 256`);
    } else if (known(c.healthThreshold) && c.healthThreshold > children.length) {
      f.warn('health-check/health-threshold', `healthThreshold ${c.healthThreshold} is more than the ${children.length} children, so this check is always unhealthy; lower it to at most ${children.length}`);
    }
  }
  if (c.type === 'CLOUDWATCH_METRIC') {
    if (!caps.cloudWatchAlarmChecks) {
      f.error('health-check/unsupported', `CloudWatch alarm health checks are not available in ${caps.name}; use an HTTP, HTTPS or TCP check, or deploy this gateway to Route 53`);
    }
    if (!c.alarmIdentifier || !c.alarmIdentifier.name || !c.alarmIdentifier.region) {
      f.error('health-check/alarm', 'a CLOUDWATCH_METRIC health check needs an alarm name and region; set alarmIdentifier');
    }
    if (!c.insufficientDataHealthStatus) {
      f.error('health-check/insufficient-data', 'a CLOUDWATCH_METRIC health check needs insufficientDataHealthStatus (Healthy, Unhealthy or LastKnownStatus)');
    }
  } else {
    notFor('insufficientDataHealthStatus', c.insufficientDataHealthStatus, `only CLOUDWATCH_METRIC health checks use it, this one is ${c.type}`);
  }
  if (c.type === 'RECOVERY_CONTROL') {
    if (!caps.recoveryControlChecks) {
      f.error('health-check/unsupported', `routing control health checks are not available in ${caps.name}; use another health check type`);
    }
    if (!c.routingControlArn) f.error('health-check/routing-control', 'a RECOVERY_CONTROL health check needs routingControlArn');
  } else {
    notFor('routingControlArn', c.routingControlArn, `only RECOVERY_CONTROL health checks use it, this one is ${c.type}`);
  }
  if (c.disabled && !caps.disabledHealthChecks) {
    f.error('health-check/disabled-unsupported', `${caps.name} cannot express a disabled health check (Route 53 'Disabled'); remove disabled, or use the Terraform or self-hosted target. To force a member out, disable and invert its check where Disabled exists`);
  }
  return f.list;
}

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

/** Rules for one record set (ROUTE53.md §3). */
export function validateRecordSet(r: RecordSetModel): Finding[] {
  const f = new Findings(`record ${recordLabel(r)}`);
  const nameProblem = dnsNameProblem(r.name);
  if (nameProblem) f.error('record/name', `record name '${r.name}' is not a valid DNS name: ${nameProblem}`);
  if (r.hostedZoneId === undefined && r.hostedZoneName === undefined) {
    f.error('record/zone', 'the record has no hosted zone; give a hosted zone id or name');
  }
  if (!(RECORD_TYPES as readonly string[]).includes(r.recordType)) {
    f.error('record/type', `record type '${r.recordType}' is not supported; use one of ${RECORD_TYPES.join(', ')}`);
  }
  if (r.ttl === undefined) {
    f.error('record/ttl', 'the record has no TTL; records that are not aliases need one (60 seconds or less with health checks)');
  } else if (known(r.ttl) && (!isInt(r.ttl) || r.ttl < 0 || r.ttl > 2147483647)) {
    f.error('record/ttl', `TTL ${r.ttl} is out of range; use whole seconds from 0 to 2147483647 (60 or less with health checks)`);
  }
  if (r.values.length === 0) f.error('record/values', 'the record has no values; give at least one');
  for (const v of r.values) {
    const p = valueProblem(r.recordType, v);
    if (p) f.error('record/value', `${p}; an ${r.recordType} record needs ${r.recordType === 'A' ? 'IPv4 addresses' : r.recordType === 'AAAA' ? 'IPv6 addresses' : 'a host name'}`);
  }
  if (r.recordType === 'CNAME' && r.values.length > 1) {
    f.error('record/value', `a CNAME record holds one value, got ${r.values.length}; make one record per target`);
  }
  const policies = [r.weight !== undefined && 'weight', r.failover !== undefined && 'failover', r.multiValueAnswer && 'multiValueAnswer'].filter(Boolean);
  if (policies.length > 1) {
    f.error('record/policy', `the record sets ${policies.join(' and ')}; a record has one routing policy`);
  }
  const policy = routingPolicyOf(r);
  if (policy !== 'simple') {
    if (r.setIdentifier === undefined || r.setIdentifier === '') {
      f.error('record/set-identifier', `a ${policy} record needs a set identifier; give each member a unique, stable name`);
    }
  } else if (r.setIdentifier !== undefined) {
    f.error('record/set-identifier', `set identifier '${r.setIdentifier}' is given but the record has no routing policy; add a weight, failover role or multivalue answer, or remove the identifier`);
  }
  const idLength = r.setIdentifier !== undefined && !isUnresolved(r.setIdentifier) ? r.setIdentifier.length : 1;
  if (idLength < 1 || idLength > MAX_SET_IDENTIFIER) {
    f.error('record/set-identifier', `set identifier '${r.setIdentifier!.slice(0, 40)}...' has ${idLength} characters; use 1 to ${MAX_SET_IDENTIFIER}`);
  }
  if (known(r.weight) && (!isInt(r.weight!) || r.weight! < 0 || r.weight! > 255)) {
    f.error('record/weight', `weight ${r.weight} is out of range; use a whole number from 0 to 255 (0 keeps the member as a standby)`);
  }
  if (r.failover !== undefined && r.failover !== 'PRIMARY' && r.failover !== 'SECONDARY') {
    f.error('record/failover', `failover role '${r.failover}' is not PRIMARY or SECONDARY`);
  }
  if ((policy === 'weighted' || policy === 'multivalue') && r.values.length > 1) {
    f.error('record/value', `a ${policy} record holds one value, got ${r.values.length} (${r.values.join(', ')}); make one member per value`);
  }
  if (policy === 'multivalue' && r.recordType === 'CNAME') {
    f.error('record/multivalue-cname', 'multivalue answer routing does not accept CNAME records; give the endpoints IP addresses (A or AAAA)');
  }
  return f.list;
}

function zoneKey(r: RecordSetModel): string {
  return r.hostedZoneId !== undefined ? `id:${r.hostedZoneId}` : `name:${normalizeName(r.hostedZoneName ?? '')}`;
}

/** The records that answer one name and type in one zone: the unit of routing. */
export interface RecordGroup {
  readonly name: string;
  readonly recordType: string;
  readonly records: RecordSetModel[];
}

export function groupRecords(records: readonly RecordSetModel[]): RecordGroup[] {
  const groups = new Map<string, RecordGroup>();
  for (const r of records) {
    const key = `${zoneKey(r)}|${normalizeName(r.name)}|${r.recordType}`;
    let g = groups.get(key);
    if (!g) {
      g = { name: normalizeName(r.name), recordType: r.recordType, records: [] };
      groups.set(key, g);
    }
    g.records.push(r);
  }
  return [...groups.values()];
}

/** Rules for the records of one name and type (ROUTE53.md §3). */
export function validateGroup(group: RecordGroup): Finding[] {
  const f = new Findings(`record set group ${group.name} ${group.recordType}`);
  const records = group.records;
  const policies = new Set(records.map(routingPolicyOf));
  if (policies.size > 1) {
    f.error('group/mixed-policy', `records of ${group.name} ${group.recordType} use several routing policies (${[...policies].join(', ')}); one name and type takes one policy`);
    return f.list;
  }
  const policy = records.length > 0 ? routingPolicyOf(records[0]) : 'simple';
  if (policy === 'simple' && records.length > 1) {
    f.error('group/duplicate', `${records.length} simple records for ${group.name} ${group.recordType}; merge their values into one record, or give them a routing policy`);
  }
  const ids = new Map<string, number>();
  for (const r of records) {
    if (r.setIdentifier !== undefined) ids.set(r.setIdentifier, (ids.get(r.setIdentifier) ?? 0) + 1);
  }
  for (const [id, count] of ids) {
    if (count > 1) f.error('group/set-identifier-unique', `set identifier '${id}' is used by ${count} records of ${group.name} ${group.recordType}; each member needs its own (endpoint names must be unique)`);
  }
  const ttls = [...new Set(records.map((r) => r.ttl).filter((t) => t !== undefined && !isUnresolved(t)))];
  if (ttls.length > 1) {
    f.error('group/mixed-ttl', `records of ${group.name} ${group.recordType} have different TTLs (${ttls.join(', ')} s); give the whole group one TTL`);
  }
  if (policy === 'weighted' && records.length > MAX_WEIGHTED_RECORDS) {
    f.error('group/weighted-limit', `${records.length} weighted records for ${group.name} ${group.recordType}; Route 53 allows at most ${MAX_WEIGHTED_RECORDS}`);
  }
  if (policy === 'failover') {
    const primaries = records.filter((r) => r.failover === 'PRIMARY');
    const secondaries = records.filter((r) => r.failover === 'SECONDARY');
    if (primaries.length !== 1 || secondaries.length !== 1) {
      const desc = (rs: RecordSetModel[]) => (rs.length ? rs.map((r) => `'${r.setIdentifier}'`).join(', ') : 'none');
      f.error('group/failover-pair', `${group.name} ${group.recordType} needs exactly one PRIMARY and one SECONDARY record; found ${primaries.length} primary (${desc(primaries)}) and ${secondaries.length} secondary (${desc(secondaries)})`);
    }
  }
  return f.list;
}

/** A CNAME cannot share its name with records of other types (RFC 1034 §3.6.2). */
function validateCnameExclusivity(groups: readonly RecordGroup[], records: readonly RecordSetModel[]): Finding[] {
  const out: Finding[] = [];
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
      out.push({
        severity: 'error',
        rule: 'group/cname-exclusive',
        resource: `record set group ${g.name} CNAME`,
        message: `${g.name} has a CNAME and also ${[...types].filter((t) => t !== 'CNAME').join(', ')} records; a CNAME cannot share its name with other types, use A/AAAA records or another name`,
      });
    }
  }
  return out;
}

/** Health-check references: records and calculated checks must point at checks that exist. */
function validateReferences(model: FailoverModel): Finding[] {
  const out: Finding[] = [];
  const byId = new Map(model.healthChecks.map((h) => [h.id, h]));
  const seen = new Set<string>();
  for (const hc of model.healthChecks) {
    if (seen.has(hc.id)) out.push({ severity: 'error', rule: 'health-check/duplicate-id', resource: `health check '${hc.id}'`, message: `two health checks share the id '${hc.id}'; give each its own construct id` });
    seen.add(hc.id);
    for (const child of hc.config.childHealthChecks ?? []) {
      const target = byId.get(child);
      if (target && target.config.type === 'CALCULATED') {
        out.push({ severity: 'error', rule: 'health-check/calculated-child', resource: `health check '${hc.id}'`, message: `child '${child}' is itself a CALCULATED health check; Route 53 does not nest calculated checks, list its children directly` });
      }
      if (child === hc.id) {
        out.push({ severity: 'error', rule: 'health-check/calculated-child', resource: `health check '${hc.id}'`, message: 'the check lists itself as a child; remove it' });
      }
    }
  }
  return out;
}

/** Warnings a failover user wants at synth: they do not stop deployment. */
export function failoverWarnings(group: RecordGroup): Finding[] {
  const f = new Findings(`record set group ${group.name} ${group.recordType}`);
  const policy = group.records.length > 0 ? routingPolicyOf(group.records[0]) : 'simple';
  if (policy === 'simple') return f.list;
  const ttl = group.records.find((r) => known(r.ttl))?.ttl;
  if (ttl !== undefined && ttl > RECOMMENDED_MAX_TTL_SECONDS) {
    f.warn('group/ttl-above-60', `TTL ${ttl} s: clients keep a failed answer for up to the TTL after failover; AWS recommends ${RECOMMENDED_MAX_TTL_SECONDS} s or less with health checks`);
  }
  if (group.records.length === 1) {
    f.warn('group/single-endpoint', `${group.name} ${group.recordType} has a single endpoint, so there is nothing to fail over to; add another endpoint`);
  }
  for (const r of group.records) {
    if (r.healthCheckId === undefined) {
      f.warn('group/member-without-check', `member '${r.setIdentifier}' has no health check, so it always counts as healthy and is never taken out; add a health check`);
    }
  }
  return f.list;
}

/** All rules over a whole artifact. */
export function validateModel(model: FailoverModel, caps: TargetCapabilities): Finding[] {
  const out: Finding[] = [];
  for (const hc of model.healthChecks) out.push(...validateHealthCheck(hc, caps));
  for (const r of model.recordSets) out.push(...validateRecordSet(r));
  const groups = groupRecords(model.recordSets);
  for (const g of groups) out.push(...validateGroup(g));
  out.push(...validateCnameExclusivity(groups, model.recordSets));
  out.push(...validateReferences(model));
  return out;
}

export function errorsOf(findings: readonly Finding[]): Finding[] {
  return findings.filter((x) => x.severity === 'error');
}

/** One message for a thrown error. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((x) => `${x.resource}: ${x.message} [${x.rule}]`).join('\n');
}

export class ModelValidationError extends Error {
  constructor(readonly findings: readonly Finding[]) {
    super(formatFindings(findings));
    this.name = 'ModelValidationError';
  }
}

/** Throws a {@link ModelValidationError} when any finding is an error. */
export function assertValid(findings: readonly Finding[]): void {
  const errors = errorsOf(findings);
  if (errors.length > 0) throw new ModelValidationError(errors);
}
