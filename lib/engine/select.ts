/**
 * Answer selection for one record group (the records of one name and type, one routing policy):
 * ROUTE53.md §2 "Choosing an answer". The DNS server compiles each group once ({@link compileGroup})
 * and calls `select` per query; the verifier asks for the exact distribution of answers.
 *
 * General rule (ROUTE53.md §2): "choose a record by the routing policy; if it is unhealthy, choose
 * again by the same policy among the rest." and "**Last resort**: when no record of the group is
 * healthy, all are treated as healthy and the policy chooses among them. Route 53 never answers
 * NXDOMAIN or an empty answer because everything failed."
 */
import { RandomSource } from './random';
import { RecordSetModel, RoutingPolicy, routingPolicyOf } from '../model/types';
import { compileFailover } from './routing/failover';
import { compileMultivalue } from './routing/multivalue';
import { HealthLookup, Router } from './routing/router';
import { compileSimple } from './routing/simple';
import { compileWeighted } from './routing/weighted';

/** Default limit on the number of answers {@link answerDistribution} lists (multivalue groups). */
export const DEFAULT_MAX_OUTCOMES = 100_000;

/** One possible answer of a group and its probability. */
export interface AnswerOutcome {
  /** The set identifiers of the answering records, in record order ('' for a record without one). */
  readonly setIdentifiers: string[];
  /** The answering records, in record order. */
  readonly records: RecordSetModel[];
  readonly probability: number;
}

export interface DistributionOptions {
  /**
   * Refuse (RangeError) to list more possible answers than this. A multivalue group with m > 8
   * candidates has C(m, 8) equally likely answers: 12,870 for 16 records, 4.4e9 for 40.
   * @default DEFAULT_MAX_OUTCOMES
   */
  readonly maxOutcomes?: number;
}

/** A record group prepared once for many queries. */
export interface CompiledGroup {
  readonly policy: RoutingPolicy;
  readonly records: readonly RecordSetModel[];
  /**
   * The records that answer one query, in the group's record order. Never empty for a non-empty
   * group. The answer is a frozen array, and the same choice returns the same array (for multivalue
   * groups: among the last MAX_CACHED_MULTIVALUE_ANSWERS distinct answers), so callers may cache
   * derived data (encoded records) by its identity in a WeakMap. A query allocates nothing once its
   * answer has been seen.
   */
  select(isHealthy: HealthLookup, random: RandomSource): readonly RecordSetModel[];
  /** Exact distribution of {@link select}'s answers, see {@link answerDistribution}. */
  distribution(isHealthy: HealthLookup, options?: DistributionOptions): AnswerOutcome[];
  /**
   * Per record, in record order, the exact probability that it is part of the answer. Unlike
   * {@link distribution} this is cheap for any group (a multivalue candidate: min(1, 8 / candidates)).
   */
  inclusionProbabilities(isHealthy: HealthLookup): number[];
}

function compileRouter(policy: RoutingPolicy, records: readonly RecordSetModel[]): Router {
  switch (policy) {
    case 'weighted': return compileWeighted(records);
    case 'failover': return compileFailover(records);
    case 'multivalue': return compileMultivalue(records);
    case 'simple': return compileSimple(records);
  }
}

/**
 * Prepare a record group for answering. The records are copied: changing the caller's array later
 * does not change the compiled group.
 *
 * Throws when the records use several routing policies: Route 53 refuses such a group and the model
 * validation reports it (`group/mixed-policy`), so there is no answer to reproduce.
 */
export function compileGroup(records: readonly RecordSetModel[]): CompiledGroup {
  const own = Object.freeze([...records]);
  const policy: RoutingPolicy = own.length > 0 ? routingPolicyOf(own[0]) : 'simple';
  for (const r of own) {
    const p = routingPolicyOf(r);
    if (p !== policy) {
      throw new Error(
        `records of ${own[0].name} ${own[0].recordType} use several routing policies (${policy} and ${p}); ` +
        'one name and type takes one policy, validate the model first',
      );
    }
  }
  const router = compileRouter(policy, own);
  return {
    policy,
    records: own,
    select: (isHealthy, random) => router.select(isHealthy, random),
    distribution(isHealthy, options) {
      const maxOutcomes = options?.maxOutcomes ?? DEFAULT_MAX_OUTCOMES;
      return router.outcomes(isHealthy, maxOutcomes).map((o) => {
        const rs = o.indices.map((i) => own[i]);
        return { setIdentifiers: rs.map((r) => r.setIdentifier ?? ''), records: rs, probability: o.probability };
      });
    },
    inclusionProbabilities: (isHealthy) => router.inclusion(isHealthy),
  };
}

/**
 * Choose the records that answer one query for one group (records of one name+type, one policy).
 * Never empty for a non-empty group (last resort). Compiles the group on every call: the DNS
 * server's query path should {@link compileGroup} once and call `select`.
 */
export function selectAnswer(
  records: readonly RecordSetModel[],
  isHealthy: (healthCheckId: string | undefined) => boolean,
  random: RandomSource,
): RecordSetModel[] {
  return [...compileGroup(records).select(isHealthy, random)];
}

/**
 * Exact answer distribution for the verifier's what-if tables: each possible answer (set of
 * setIdentifiers) with its probability, in a fixed order (record order; multivalue combinations in
 * lexicographic record order). The probabilities add up to 1 for a non-empty group.
 */
export function answerDistribution(
  records: readonly RecordSetModel[],
  isHealthy: (healthCheckId: string | undefined) => boolean,
  options?: DistributionOptions,
): Array<{ setIdentifiers: string[]; probability: number; records: RecordSetModel[] }> {
  return compileGroup(records).distribution(isHealthy, options);
}

/**
 * Per record of a group, in record order, the share of queries whose answer holds it: the exact
 * probability, for any group size (a weighted record: its weight over the candidates' weights; a
 * multivalue candidate: min(1, 8 / candidates); the failover answer: 1). The one place answer
 * shares are computed: the verifier's what-if tables, `up` and the DNS node's status all call it.
 */
export function answerShares(group: CompiledGroup | readonly RecordSetModel[], isHealthy: HealthLookup): number[] {
  const compiled = isCompiledGroup(group) ? group : compileGroup(group);
  return compiled.inclusionProbabilities(isHealthy);
}

function isCompiledGroup(x: CompiledGroup | readonly RecordSetModel[]): x is CompiledGroup {
  return !Array.isArray(x);
}
