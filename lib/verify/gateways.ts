/**
 * The verifier's unit of report: a gateway, that is the records of one name and type with a routing
 * policy (a record group of the model, `groupRecords`), with each member's guarding health check.
 */
import {
  FailoverModel,
  Finding,
  groupRecords,
  HealthCheckModel,
  normalizeName,
  RecordGroup,
  RecordSetModel,
  RoutingPolicy,
  routingPolicyOf,
} from '../model';

export interface GatewayMember {
  /** The set identifier ('' for a record without one). */
  readonly setIdentifier: string;
  readonly record: RecordSetModel;
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
  /** The group's TTL (the largest when members disagree, which lint reports). */
  readonly ttl?: number;
}

export function gatewayKey(name: string, recordType: string): string {
  return `${normalizeName(name)} ${recordType.toUpperCase()}`;
}

function zoneLabel(r: RecordSetModel): string | undefined {
  return r.hostedZoneName ?? r.hostedZoneId;
}

/**
 * The gateways of a model: every record group with a routing policy or a health check. Plain records
 * (a bundle's static records, simple records) are not gateways. Model order is kept.
 */
export function gatewaysOf(model: FailoverModel): Gateway[] {
  const checks = new Map(model.healthChecks.map((h) => [h.id, h]));
  const groups = groupRecords(model.recordSets).filter((g) => g.records.some((r) => routingPolicyOf(r) !== 'simple' || r.healthCheckId !== undefined));
  const keyCount = new Map<string, number>();
  for (const g of groups) keyCount.set(gatewayKey(g.name, g.recordType), (keyCount.get(gatewayKey(g.name, g.recordType)) ?? 0) + 1);
  return groups.map((group) => {
    const first = group.records[0];
    const baseKey = gatewayKey(group.name, group.recordType);
    // The same name in two zones (a public and a private zone): tell them apart by zone.
    const key = (keyCount.get(baseKey) ?? 0) > 1 ? `${baseKey} (${zoneLabel(first)})` : baseKey;
    const ttls = group.records.map((r) => r.ttl).filter((t): t is number => typeof t === 'number' && t >= 0);
    return {
      key,
      name: group.name,
      recordType: group.recordType,
      zone: zoneLabel(first),
      policy: routingPolicyOf(first),
      group,
      ttl: ttls.length > 0 ? Math.max(...ttls) : undefined,
      members: group.records.map((record): GatewayMember => {
        const hc = record.healthCheckId !== undefined ? checks.get(record.healthCheckId) : undefined;
        return {
          setIdentifier: record.setIdentifier ?? '',
          record,
          ...(hc ? { healthCheck: hc } : {}),
          ...(record.healthCheckId !== undefined && !hc ? { externalHealthCheckId: record.healthCheckId } : {}),
        };
      }),
    };
  });
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
