/**
 * The verifier's unit of report: a gateway, that is the records of one name and type with a routing
 * policy (a record group of the model, `groupRecords`), with each member's guarding health check.
 */
import { aliasHealthKey } from '../engine';
import {
  FailoverModel,
  Finding,
  groupRecords,
  HealthCheckModel,
  isAliasInZone,
  MAX_ALIAS_DEPTH,
  normalizeName,
  RecordGroup,
  RecordSetModel,
  RoutingPolicy,
  routingPolicyOf,
  zoneKeyOf,
} from '../model';

export interface GatewayMember {
  /** The set identifier ('' for a record without one). */
  readonly setIdentifier: string;
  readonly record: RecordSetModel;
  /** An alias to another gateway of the artifact: that gateway's key. */
  readonly target?: string;
  /** The guarding health check, when the artifact holds it. */
  readonly healthCheck?: HealthCheckModel;
  /** The record names a health check that is not in the artifact (an external Route 53 id). */
  readonly externalHealthCheckId?: string;
}

export interface Gateway {
  /** `name type`, for example `emdr.example.com A`: how reports and the simulation name a gateway. */
  readonly key: string;
  readonly name: string;
  readonly recordType: string;
  readonly zone?: string;
  readonly policy: RoutingPolicy;
  readonly group: RecordGroup;
  readonly members: readonly GatewayMember[];
  /** The group's TTL (the largest when members disagree, which lint reports); for aliases, their targets'. */
  readonly ttl?: number;
  /** No alias of the artifact points at it: queries for its name start here. */
  readonly root: boolean;
  /** Part of a routing tree: it has alias members, or an alias points at it. */
  readonly inTree: boolean;
  /** Its answer depends on the client (geolocation, latency or IP-based routing somewhere below it). */
  readonly clientDependent: boolean;
}

export function gatewayKey(name: string, recordType: string): string {
  return `${normalizeName(name)} ${recordType.toUpperCase()}`;
}

function zoneLabel(r: RecordSetModel): string | undefined {
  return r.hostedZoneName ?? r.hostedZoneId;
}

/**
 * The gateways of a model: every record group with a routing policy, a health check or an alias
 * (plain records, such as a bundle's static records, are not gateways), model order kept, each alias
 * member linked to the gateway it points at.
 */
export function gatewaysOf(model: FailoverModel): Gateway[] {
  const checks = new Map(model.healthChecks.map((h) => [h.id, h]));
  const groups = groupRecords(model.recordSets).filter((g) => g.records.some((r) => routingPolicyOf(r) !== 'simple' || r.healthCheckId !== undefined || r.aliasTarget !== undefined));
  const keyCount = new Map<string, number>();
  for (const g of groups) keyCount.set(gatewayKey(g.name, g.recordType), (keyCount.get(gatewayKey(g.name, g.recordType)) ?? 0) + 1);
  const keyOf = (group: RecordGroup) => {
    const baseKey = gatewayKey(group.name, group.recordType);
    // The same name in two zones (a public and a private zone): tell them apart by zone.
    return (keyCount.get(baseKey) ?? 0) > 1 ? `${baseKey} (${zoneLabel(group.records[0])})` : baseKey;
  };
  const byGroupKey = new Map(groups.map((g) => [`${zoneKeyOf(g.records[0])}|${g.name}|${g.recordType}`, g]));
  const targetOf = (r: RecordSetModel) => (r.aliasTarget && isAliasInZone(r) ? byGroupKey.get(`${zoneKeyOf(r)}|${normalizeName(r.aliasTarget.dnsName)}|${r.recordType}`) : undefined);
  const targeted = new Set<RecordGroup>();
  for (const g of groups) {
    for (const r of g.records) {
      const t = targetOf(r);
      if (t && t !== g) targeted.add(t);
    }
  }
  const dependent = new Map<RecordGroup, boolean>();
  const clientDependent = (g: RecordGroup, depth = 0): boolean => {
    if (dependent.has(g)) return dependent.get(g)!;
    dependent.set(g, false); // a loop adds nothing
    const policy = routingPolicyOf(g.records[0]);
    const own = policy === 'geolocation' || policy === 'latency' || policy === 'ip-based';
    const result = own || (depth < MAX_ALIAS_DEPTH && g.records.some((r) => {
      const t = targetOf(r);
      return t !== undefined && clientDependent(t, depth + 1);
    }));
    dependent.set(g, result);
    return result;
  };
  const ttlOf = (g: RecordGroup, depth = 0): number[] => g.records.flatMap((r) => {
    if (typeof r.ttl === 'number' && r.ttl >= 0) return [r.ttl];
    const t = targetOf(r);
    return t && t !== g && depth < MAX_ALIAS_DEPTH ? ttlOf(t, depth + 1) : [];
  });
  return groups.map((group) => {
    const first = group.records[0];
    const ttls = ttlOf(group);
    const hasAlias = group.records.some((r) => targetOf(r) !== undefined);
    return {
      key: keyOf(group),
      name: group.name,
      recordType: group.recordType,
      zone: zoneLabel(first),
      policy: routingPolicyOf(first),
      group,
      ttl: ttls.length > 0 ? Math.max(...ttls) : undefined,
      root: !targeted.has(group),
      inTree: hasAlias || targeted.has(group),
      clientDependent: clientDependent(group),
      members: group.records.map((record): GatewayMember => {
        const hc = record.healthCheckId !== undefined ? checks.get(record.healthCheckId) : undefined;
        const target = targetOf(record);
        return {
          setIdentifier: record.setIdentifier ?? '',
          record,
          ...(target ? { target: keyOf(target) } : {}),
          ...(hc ? { healthCheck: hc } : {}),
          ...(record.healthCheckId !== undefined && !hc ? { externalHealthCheckId: record.healthCheckId } : {}),
        };
      }),
    };
  });
}

/**
 * The health checks whose failure takes a member out: its own, and for an alias with
 * EvaluateTargetHealth, every check below it (the branch leaves when none of them is healthy).
 */
export function memberChecks(m: GatewayMember, gateways: readonly Gateway[], depth = 0): string[] {
  const own = m.record.healthCheckId !== undefined ? [m.record.healthCheckId] : [];
  if (!m.target || !m.record.aliasTarget?.evaluateTargetHealth || depth >= MAX_ALIAS_DEPTH) return own;
  const target = gateways.find((g) => g.key === m.target);
  const below = target ? target.members.flatMap((x) => memberChecks(x, gateways, depth + 1)) : [];
  return [...new Set([...own, ...below])];
}

/**
 * What to mark unhealthy to take a member out: its `memberChecks`, or for an alias that evaluates the
 * health of something outside the artifact (an AWS resource), the engine's key for that target's health.
 */
export function memberDownKeys(m: GatewayMember, gateways: readonly Gateway[]): string[] {
  const checks = memberChecks(m, gateways);
  if (checks.length > 0) return checks;
  const alias = m.record.aliasTarget;
  return alias?.evaluateTargetHealth && m.target === undefined ? [aliasHealthKey(alias.dnsName)] : [];
}

/** The health checks a check depends on (itself and, for a calculated check, its children), without cycles. */
export function checkClosure(id: string, checks: ReadonlyMap<string, HealthCheckModel>): string[] {
  const out: string[] = [];
  const visit = (x: string) => {
    if (out.includes(x)) return;
    out.push(x);
    for (const child of checks.get(x)?.config.childHealthChecks ?? []) visit(child);
  };
  visit(id);
  return out;
}

/**
 * Which gateways a finding concerns, read from its subject: records and record groups by name, type
 * and zone; health checks through the records they guard (also as children of a calculated check);
 * nothing for the artifact as a whole.
 */
export function findingGateways(model: FailoverModel, gateways: readonly Gateway[]): (f: Finding) => string[] {
  const checks = new Map(model.healthChecks.map((h) => [h.id, h]));
  const byCheck = new Map<string, Set<string>>();
  for (const g of gateways) {
    for (const m of g.members) {
      if (m.record.healthCheckId === undefined) continue;
      for (const id of checkClosure(m.record.healthCheckId, checks)) {
        if (!byCheck.has(id)) byCheck.set(id, new Set());
        byCheck.get(id)!.add(g.key);
      }
    }
  }
  return (f) => {
    const s = f.subject;
    switch (s.kind) {
      case 'health-check':
        return [...(byCheck.get(s.id) ?? [])].sort();
      case 'record':
      case 'group': {
        const name = normalizeName(s.name);
        return gateways
          .filter((g) => g.name === name && g.recordType === s.recordType)
          .filter((g) => s.zone === undefined || g.group.zone === undefined || g.group.zone === s.zone)
          .map((g) => g.key)
          .sort();
      }
      case 'artifact':
        return [];
    }
  };
}
