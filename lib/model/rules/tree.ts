/**
 * The rules of routing trees and CIDR collections, over a whole model (ROUTE53.md §2 "Alias records
 * and EvaluateTargetHealth", "IP-based", §3): an alias of the zone points at records of the same type
 * that exist, trees have no loops and stay within the depth limit, collections hold valid blocks; and
 * the warnings for what deploys but defeats failover.
 */
import { parseCidrPrefix } from '../cidr';
import {
  CIDR_COLLECTION_NAME,
  CIDR_LOCATION_NAME,
  CIDR_PREFIX_LIMITS,
  DEFAULT_CIDR_LOCATION,
  MAX_ALIAS_DEPTH,
  MAX_CIDR_BLOCKS_PER_COLLECTION,
} from '../facts';
import { finding, Finding, FindingSubject, recordSubject } from '../findings';
import { normalizeName } from '../names';
import { isUnresolved } from '../tokens';
import { FailoverModel, isAliasInZone, RecordSetModel, zoneKeyOf } from '../types';
import { groupRecords, groupSubject, RecordGroup } from './group';

const key = (zone: string, name: string, type: string) => `${zone}|${normalizeName(name)}|${type}`;

/** Rules over the aliases of a model: targets that exist with the same type, no loops, the depth limit; warnings. */
export function validateTrees(model: FailoverModel, grouped?: readonly RecordGroup[]): Finding[] {
  const out: Finding[] = [];
  // Every rule here is about aliases of the zone: a model without them has nothing to check.
  if (!model.recordSets.some((r) => r.aliasTarget !== undefined && isAliasInZone(r))) return out;
  const groups = grouped ?? groupRecords(model.recordSets);
  const byKey = new Map<string, RecordGroup>();
  const typesByName = new Map<string, Set<string>>();
  for (const g of groups) {
    const zone = zoneKeyOf(g.records[0]);
    byKey.set(key(zone, g.name, g.recordType), g);
    const n = `${zone}|${g.name}`;
    if (!typesByName.has(n)) typesByName.set(n, new Set());
    typesByName.get(n)!.add(g.recordType);
  }
  const targetOf = (r: RecordSetModel): RecordGroup | undefined =>
    r.aliasTarget && isAliasInZone(r) ? byKey.get(key(zoneKeyOf(r), r.aliasTarget.dnsName, r.recordType)) : undefined;

  for (const g of groups) {
    for (const r of g.records) {
      if (!r.aliasTarget || !isAliasInZone(r) || isUnresolved(r.aliasTarget.dnsName)) continue;
      if (targetOf(r)) continue;
      const target = normalizeName(r.aliasTarget.dnsName);
      const other = typesByName.get(`${zoneKeyOf(r)}|${target}`);
      if (other) {
        out.push(finding(
          'error',
          'tree/alias-type',
          recordSubject(r),
          `the alias points at ${target} ${r.recordType}, but that name has only ${[...other].join(', ')} records in this zone`,
          `an alias answers for the same record type: point it at a ${r.recordType} gateway, or make this record ${[...other][0]}`,
        ));
      } else {
        out.push(finding(
          'warning',
          'tree/alias-target-not-in-artifact',
          recordSubject(r),
          `the alias points at ${target} ${r.recordType}, which this artifact does not hold: it must exist in the zone when this deploys, and its answers and health cannot be simulated here`,
          'define the target gateway in the same stack, or check that another stack creates it first',
        ));
      }
    }
  }

  // Loops and depth: a walk over group -> target groups.
  const state = new Map<RecordGroup, 'visiting' | number>();
  const reported = new Set<RecordGroup>();
  const depthOf = (g: RecordGroup, path: RecordGroup[]): number => {
    const s = state.get(g);
    if (typeof s === 'number') return s;
    if (s === 'visiting') {
      const cycle = path.slice(path.indexOf(g));
      if (!cycle.some((x) => reported.has(x))) {
        cycle.forEach((x) => reported.add(x));
        out.push(finding(
          'error',
          'tree/loop',
          groupSubject(g),
          `aliases form a loop: ${[...cycle, g].map((x) => `${x.name} ${x.recordType}`).join(' -> ')}`,
          'point one of the aliases at a gateway of endpoints, so every path ends in records with values',
        ));
      }
      return 0;
    }
    state.set(g, 'visiting');
    let deepest = 0;
    for (const r of g.records) {
      const t = targetOf(r);
      if (t) deepest = Math.max(deepest, 1 + depthOf(t, [...path, g]));
    }
    state.set(g, deepest);
    return deepest;
  };
  for (const g of groups) {
    const depth = depthOf(g, []);
    if (depth > MAX_ALIAS_DEPTH && !reported.has(g)) {
      out.push(finding(
        'error',
        'tree/depth',
        groupSubject(g),
        `${g.name} ${g.recordType} reaches its answers through ${depth} levels of aliases`,
        `keep trees at most ${MAX_ALIAS_DEPTH} aliases deep; merge levels that route the same way`,
      ));
    }
  }

  // Warnings: what deploys but defeats failover.
  const checkedLeaves = (g: RecordGroup, seen: Set<RecordGroup>): RecordSetModel[] => {
    if (seen.has(g)) return [];
    seen.add(g);
    const out2: RecordSetModel[] = [];
    for (const r of g.records) {
      const t = targetOf(r);
      if (t && r.aliasTarget?.evaluateTargetHealth) out2.push(...checkedLeaves(t, seen));
      else if (!r.aliasTarget && r.healthCheckId === undefined) out2.push(r);
    }
    return out2;
  };
  for (const g of groups) {
    for (const r of g.records) {
      const t = targetOf(r);
      if (!t) continue;
      const alias = r.setIdentifier !== undefined ? `'${r.setIdentifier}'` : `${r.name} ${r.recordType}`;
      if (r.aliasTarget!.evaluateTargetHealth) {
        for (const leaf of checkedLeaves(t, new Set())) {
          out.push(finding(
            'warning',
            'tree/leaf-without-check',
            recordSubject(leaf),
            `member '${leaf.setIdentifier ?? leaf.values.join(', ')}' of ${leaf.name} ${leaf.recordType} has no health check, so it always counts as healthy and the alias ${alias} of ${r.name} never sees its branch fail`,
            'add a health check to every endpoint of the branch',
          ));
        }
      } else if (t.records.some((x) => x.healthCheckId !== undefined)) {
        out.push(finding(
          'warning',
          'tree/evaluate-target-health-off',
          recordSubject(r),
          `the alias ${alias} does not evaluate the health of ${t.name} ${t.recordType}, whose members have health checks: Route 53 keeps answering from it even when all of them fail`,
          'set evaluateTargetHealth to true (the default), so the branch is skipped when nothing in it is healthy',
        ));
      }
    }
  }
  return dedupe(out);
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.rule}|${f.resource}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Rules of the CIDR collections, and of the IP-based records that use them (ROUTE53.md §2 "IP-based", §3). */
export function validateCollections(model: FailoverModel): Finding[] {
  const out: Finding[] = [];
  const collections = model.cidrCollections ?? [];
  const ids = new Set<string>();
  for (const c of collections) {
    const subject: FindingSubject = { kind: 'artifact', label: `CIDR collection '${c.name}'` };
    const err = (rule: string, problem: string, fix: string) => out.push(finding('error', rule, subject, problem, fix));
    if (ids.has(c.id)) err('cidr/duplicate', `two CIDR collections share the id '${c.id}'`, 'give each its own construct id');
    ids.add(c.id);
    if (!isUnresolved(c.name) && !CIDR_COLLECTION_NAME.test(c.name)) err('cidr/name', `collection name '${c.name}' is not valid`, 'use 1 to 64 letters, digits, \'_\' or \'-\'');
    const names = new Set<string>();
    let blocks = 0;
    for (const l of c.locations) {
      if (!CIDR_LOCATION_NAME.test(l.name)) err('cidr/location', `location name '${l.name}' is not valid`, 'use 1 to 16 letters, digits, \'_\' or \'-\'');
      if (names.has(l.name)) err('cidr/location', `location '${l.name}' is defined twice`, 'merge its blocks into one location');
      names.add(l.name);
      if (l.cidrList.length === 0) err('cidr/blocks', `location '${l.name}' has no CIDR block`, 'give it at least one block, for example 203.0.113.0/24');
      for (const cidr of l.cidrList) {
        blocks++;
        if (isUnresolved(cidr)) continue;
        const p = parseCidrPrefix(cidr);
        const { ipv4, ipv6 } = CIDR_PREFIX_LIMITS;
        if (!p) {
          err('cidr/blocks', `'${cidr}' in location '${l.name}' is not a CIDR block`, 'write a block as address/length, for example 203.0.113.0/24 or 2001:db8::/48');
        } else {
          const limits = p.family === 4 ? ipv4 : ipv6;
          if (p.prefix < limits.min || p.prefix > limits.max) {
            err('cidr/prefix', `'${cidr}' in location '${l.name}' has a /${p.prefix} prefix`, `Route 53 takes IPv${p.family} blocks from /${limits.min} to /${limits.max}`);
          } else if (!p.network) {
            err('cidr/blocks', `'${cidr}' in location '${l.name}' has bits set beyond its /${p.prefix} prefix`, `write the network address, ${p.canonical}`);
          }
        }
      }
    }
    if (blocks > MAX_CIDR_BLOCKS_PER_COLLECTION) {
      err('cidr/limit', `collection '${c.name}' holds ${blocks} CIDR blocks`, `Route 53 allows at most ${MAX_CIDR_BLOCKS_PER_COLLECTION} per collection; merge blocks into shorter ones`);
    }
  }
  for (const r of model.recordSets) {
    const cfg = r.cidrRoutingConfig;
    if (!cfg || isUnresolved(cfg.collectionId)) continue;
    const c = collections.find((x) => x.id === cfg.collectionId);
    if (!c) {
      // A collection made elsewhere (a Route 53 id): fine for Route 53, but its locations are unknown here.
      out.push(finding(
        'warning',
        'record/cidr-collection',
        recordSubject(r),
        `the record names CIDR collection '${cfg.collectionId}', which is not in this artifact${collections.length > 0 ? ` (its collections: ${collections.map((x) => x.id).join(', ')})` : ''}: its locations are not checked, and the verifier sends every client to the default location '${DEFAULT_CIDR_LOCATION}'`,
        'declare the collection in the same stack to have it checked and simulated, or ignore this for a collection shared between stacks',
      ));
      continue;
    }
    if (cfg.locationName !== DEFAULT_CIDR_LOCATION && !c.locations.some((l) => l.name === cfg.locationName)) {
      out.push(finding(
        'error',
        'record/cidr-location',
        recordSubject(r),
        `CIDR location '${cfg.locationName}' is not a location of collection '${c.name}' (${c.locations.map((l) => l.name).join(', ') || 'none'})`,
        `name one of its locations, or '${DEFAULT_CIDR_LOCATION}' for the default record`,
      ));
    }
  }
  return out;
}
