/**
 * Routing trees: the record groups of a model linked by alias records that target another record set
 * of the same zone and type (ROUTE53.md §2 "Alias records and EvaluateTargetHealth", DG-complex):
 *
 * - "An alias to another record set of the same zone and type answers as if the query were for that
 *   name; it has no TTL of its own (the target's applies)": resolving a group follows the chosen alias
 *   into its target group and answers with the target's records.
 * - "`EvaluateTargetHealth: true`: the alias is healthy when at least one record of the target group is
 *   healthy (records without a health check count as healthy); otherwise the branch is skipped and the
 *   parent chooses again among its other records. A health check on the alias itself must also be
 *   healthy. `false`: the branch counts as healthy and Route 53 answers from inside it even when
 *   everything there fails." (the member health of `CompiledGroup`).
 * - "Last resort applies in every group of the tree: a group with no healthy record chooses among all
 *   of its records by its policy ..., and then descends."
 *
 * One client (location, subnet, region order) goes down the whole tree. Loops and trees deeper than
 * `MAX_ALIAS_DEPTH` are refused by the model's validation; here the walk stops there with no answer.
 */
import { Client, UNKNOWN_CLIENT } from './client';
import { RandomSource } from './random';
import { AnswerOutcome, compileGroup, CompiledGroup, DistributionOptions, DEFAULT_MAX_OUTCOMES } from './select';
import { FailoverModel, groupRecords, isAliasInZone, MAX_ALIAS_DEPTH, normalizeName, RecordGroup, RecordSetModel, zoneKeyOf } from '../model';
import { HealthLookup, NO_ANSWER } from './routing/router';

/** A group of the tree: its name, type and zone, and the compiled group. */
export interface TreeGroup {
  readonly name: string;
  readonly recordType: string;
  /** `zoneKeyOf` of its records' zone. */
  readonly zoneKey: string;
  readonly group: CompiledGroup;
  readonly recordGroup: RecordGroup;
}

/** One possible final answer of a tree, with the path of records chosen on the way. */
export interface TreeOutcome extends AnswerOutcome {
  /** The records chosen from the top group down to the group that answered (aliases, then the answer's records). */
  readonly path: readonly RecordSetModel[];
}

export interface CompiledTree {
  readonly groups: readonly TreeGroup[];
  /** The group of a name and type (in a zone, when names repeat across zones). */
  find(name: string, recordType: string, zoneKey?: string): TreeGroup | undefined;
  /** The group an alias record of the zone targets, if the model holds it. */
  targetOf(record: RecordSetModel): TreeGroup | undefined;
  /** The groups no alias of the zone targets: where queries start. */
  roots(): TreeGroup[];
  /**
   * The records that answer one query for `group`, following aliases into their targets: a frozen
   * array (the leaf group's own choice), empty when a group has nothing for the client (NODATA).
   */
  resolve(group: TreeGroup, isHealthy: HealthLookup, random: RandomSource, client?: Client): readonly RecordSetModel[];
  /** Every possible final answer of `group` with its exact probability and path. */
  outcomes(group: TreeGroup, isHealthy: HealthLookup, client?: Client, options?: DistributionOptions): TreeOutcome[];
  /**
   * For every record reachable from `group` (the group's own and its targets' records), the exact
   * probability that a query's final answer holds it (alias records: that the walk passes through it).
   * Cheap for any size, like `inclusionProbabilities`.
   */
  reach(group: TreeGroup, isHealthy: HealthLookup, client?: Client): Map<RecordSetModel, number>;
}

const groupKey = (zoneKey: string, name: string, recordType: string) => `${zoneKey}|${normalizeName(name)}|${recordType}`;

/** Links the record groups of a model into routing trees. */
export function compileTree(model: Pick<FailoverModel, 'recordSets' | 'cidrCollections'>): CompiledTree {
  const byKey = new Map<string, TreeGroup>();
  const groups: TreeGroup[] = [];
  const targetOf = (record: RecordSetModel): TreeGroup | undefined => {
    if (!record.aliasTarget || !isAliasInZone(record)) return undefined;
    return byKey.get(groupKey(zoneKeyOf(record), record.aliasTarget.dnsName, record.recordType));
  };
  for (const rg of groupRecords(model.recordSets)) {
    const zoneKey = zoneKeyOf(rg.records[0]);
    const group = compileGroup(rg.records, {
      collections: model.cidrCollections,
      aliasTargetOf: (r) => targetOf(r)?.group,
    });
    const tg: TreeGroup = { name: rg.name, recordType: rg.recordType, zoneKey, group, recordGroup: rg };
    groups.push(tg);
    byKey.set(groupKey(zoneKey, rg.name, rg.recordType), tg);
  }
  const targeted = new Set<TreeGroup>();
  for (const g of groups) {
    for (const r of g.group.records) {
      const t = targetOf(r);
      if (t && t !== g) targeted.add(t);
    }
  }

  const follow = (records: readonly RecordSetModel[]): TreeGroup | undefined => (records.length === 1 ? targetOf(records[0]) : undefined);

  const outcomesOf = (g: TreeGroup, isHealthy: HealthLookup, client: Client, max: number, depth: number): TreeOutcome[] => {
    if (depth > MAX_ALIAS_DEPTH) return [];
    const out: TreeOutcome[] = [];
    for (const o of g.group.distribution(isHealthy, { maxOutcomes: max }, client)) {
      const next = follow(o.records);
      if (!next) {
        out.push({ ...o, path: o.records });
        continue;
      }
      for (const sub of outcomesOf(next, isHealthy, client, max, depth + 1)) {
        out.push({ ...sub, probability: o.probability * sub.probability, path: [...o.records, ...sub.path] });
      }
    }
    return out;
  };

  const reachOf = (g: TreeGroup, isHealthy: HealthLookup, client: Client, scale: number, into: Map<RecordSetModel, number>, depth: number) => {
    if (depth > MAX_ALIAS_DEPTH || scale === 0) return;
    const p = g.group.inclusionProbabilities(isHealthy, client);
    g.group.records.forEach((r, i) => {
      if (p[i] === 0) return;
      into.set(r, (into.get(r) ?? 0) + scale * p[i]);
      const next = targetOf(r);
      if (next) reachOf(next, isHealthy, client, scale * p[i], into, depth + 1);
    });
  };

  return {
    groups,
    find: (name, recordType, zoneKey) => {
      if (zoneKey !== undefined) return byKey.get(groupKey(zoneKey, name, recordType));
      return groups.find((g) => g.name === normalizeName(name) && g.recordType === recordType);
    },
    targetOf,
    roots: () => groups.filter((g) => !targeted.has(g)),
    resolve(group, isHealthy, random, client = UNKNOWN_CLIENT) {
      let g = group;
      for (let depth = 0; depth <= MAX_ALIAS_DEPTH; depth++) {
        const chosen = g.group.select(isHealthy, random, client);
        const next = follow(chosen);
        if (!next) return chosen;
        g = next;
      }
      return NO_ANSWER;
    },
    outcomes: (group, isHealthy, client = UNKNOWN_CLIENT, options) =>
      outcomesOf(group, isHealthy, client, options?.maxOutcomes ?? DEFAULT_MAX_OUTCOMES, 0),
    reach(group, isHealthy, client = UNKNOWN_CLIENT) {
      const into = new Map<RecordSetModel, number>();
      reachOf(group, isHealthy, client, 1, into, 0);
      return into;
    },
  };
}
