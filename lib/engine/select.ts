/**
 * Answer selection for one record group (the records of one name and type, one routing policy):
 * ROUTE53.md §2 "Choosing an answer". The DNS server compiles each group once ({@link compileGroup})
 * and calls `select` per query; the verifier asks for the exact distribution of answers. Groups linked
 * by aliases form a routing tree: `tree.ts`.
 *
 * General rule (ROUTE53.md §2): "choose a record by the routing policy; if it is unhealthy, choose
 * again by the same policy among the rest." and "**Last resort**: when no record of the group is
 * healthy, all are treated as healthy and the policy chooses among them. Route 53 never answers
 * NXDOMAIN or an empty answer because everything failed."
 *
 * A record counts as healthy when its health check does (no check: always healthy) and, for an alias
 * with EvaluateTargetHealth, when its target does: a group of the zone has at least one healthy
 * record, an AWS resource is healthy unless a caller overrides `alias:<dnsName>` (ROUTE53.md §2
 * "Alias records and EvaluateTargetHealth").
 */
import { Client, UNKNOWN_CLIENT } from './client';
import { RandomSource } from './random';
import { CidrCollectionModel, MAX_ALIAS_DEPTH, RecordSetModel, RoutingPolicy, routingPolicyOf } from '../model';
import { compileFailover } from './routing/failover';
import { compileGeolocation } from './routing/geolocation';
import { compileIpBased } from './routing/ip-based';
import { compileLatency } from './routing/latency';
import { compileMultivalue } from './routing/multivalue';
import { HealthLookup, MemberHealth, PreparedSelect, Router } from './routing/router';
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

/** The key under which the health of an AWS alias target (not a record of the zone) can be overridden. */
export function aliasHealthKey(dnsName: string): string {
  return `alias:${dnsName.toLowerCase().replace(/\.$/, '')}`;
}

/** A record group prepared once for many queries. */
export interface CompiledGroup {
  readonly policy: RoutingPolicy;
  readonly records: readonly RecordSetModel[];
  /**
   * The records of this group that answer one query, in the group's record order (an alias record is
   * not followed here: see `CompiledTree.resolve`). Never empty for a non-empty group, except where the
   * policy has nothing for the client (geolocation and IP-based without a match and a default). The
   * answer is a frozen array, and the same choice returns the same array (for multivalue groups: among
   * the last MAX_CACHED_MULTIVALUE_ANSWERS distinct answers), so callers may cache derived data
   * (encoded records) by its identity in a WeakMap. A query allocates nothing once its answer has been seen.
   */
  select(isHealthy: HealthLookup, random: RandomSource, client?: Client): readonly RecordSetModel[];
  /**
   * {@link select} for many queries under the same verdicts: reads every member's health once (and
   * works out the policy's candidates), and returns what answers one query from `random` alone,
   * drawing from it exactly as `select` would and returning the same frozen arrays. The DNS node
   * prepares a group again whenever a verdict changes (`HealthState.generation`), so that a query
   * reads no verdict.
   */
  prepare(isHealthy: HealthLookup, client?: Client): PreparedSelect;
  /** Exact distribution of {@link select}'s answers, see {@link answerDistribution}. */
  distribution(isHealthy: HealthLookup, options?: DistributionOptions, client?: Client): AnswerOutcome[];
  /**
   * Per record, in record order, the exact probability that it is part of the answer. Unlike
   * {@link distribution} this is cheap for any group (a multivalue candidate: min(1, 8 / candidates)).
   */
  inclusionProbabilities(isHealthy: HealthLookup, client?: Client): number[];
  /** Whether the record at `index` counts as healthy (its check; for an alias with EvaluateTargetHealth, its target too). */
  memberHealthy(index: number, isHealthy: HealthLookup): boolean;
  /** Whether at least one record is healthy: what an alias to this group with EvaluateTargetHealth sees. */
  anyHealthy(isHealthy: HealthLookup): boolean;
}

export interface GroupOptions {
  /** The CIDR collections of the artifact (IP-based groups find theirs by `collectionId`). */
  readonly collections?: readonly CidrCollectionModel[];
  /**
   * The group an alias record of the zone targets (routing trees); undefined for an alias to an AWS
   * resource, or a target the artifact does not hold. Asked lazily, at the first health evaluation.
   */
  readonly aliasTargetOf?: (record: RecordSetModel) => CompiledGroup | undefined;
}

function compileRouter(policy: RoutingPolicy, records: readonly RecordSetModel[], options: GroupOptions): Router {
  switch (policy) {
    case 'weighted': return compileWeighted(records);
    case 'failover': return compileFailover(records);
    case 'multivalue': return compileMultivalue(records);
    case 'geolocation': return compileGeolocation(records);
    case 'latency': return compileLatency(records);
    case 'ip-based': {
      const id = records.find((r) => r.cidrRoutingConfig)?.cidrRoutingConfig?.collectionId;
      return compileIpBased(records, options.collections?.find((c) => c.id === id));
    }
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
export function compileGroup(records: readonly RecordSetModel[], options: GroupOptions = {}): CompiledGroup {
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
  return new Group(policy, own, compileRouter(policy, own, options), options.aliasTargetOf);
}

/** Health of every record of a group, for routers that read none (the group of no record). */
const ALWAYS_HEALTHY: HealthLookup = () => true;

/**
 * A compiled group. A class (its methods shared by every group) rather than closures per group: a DNS
 * node holds one per gateway, 10,000 and more.
 */
class Group implements CompiledGroup {
  /** Whether a record is an alias with EvaluateTargetHealth; undefined when none is. */
  private readonly evaluates?: readonly boolean[];
  /** The groups alias records target, found at the first health evaluation that needs them. */
  private targets?: Array<CompiledGroup | undefined>;
  /** Evaluating the health of a tree recurses into alias targets; depth guards an unvalidated loop. */
  private depth = 0;
  /** The verdicts the router reads through `health` (queries are answered synchronously). */
  private current: HealthLookup = ALWAYS_HEALTHY;
  private healthOfMember?: MemberHealth;

  constructor(
    readonly policy: RoutingPolicy,
    readonly records: readonly RecordSetModel[],
    private readonly router: Router,
    private readonly aliasTargetOf: ((record: RecordSetModel) => CompiledGroup | undefined) | undefined,
  ) {
    if (records.some((r) => r.aliasTarget?.evaluateTargetHealth === true)) {
      this.evaluates = records.map((r) => r.aliasTarget?.evaluateTargetHealth === true);
    }
  }

  /** The member health the router reads, bound once (made at the first query that needs it). */
  private get health(): MemberHealth {
    return (this.healthOfMember ??= (i) => this.memberHealthy(i, this.current));
  }

  private withHealth<T>(isHealthy: HealthLookup, f: () => T): T {
    const previous = this.current;
    this.current = isHealthy;
    try {
      return f();
    } finally {
      this.current = previous;
    }
  }

  private targetAt(i: number): CompiledGroup | undefined {
    this.targets ??= this.records.map((r) => (r.aliasTarget ? this.aliasTargetOf?.(r) : undefined));
    return this.targets[i];
  }

  memberHealthy(i: number, isHealthy: HealthLookup): boolean {
    const r = this.records[i];
    const id = r.healthCheckId;
    if (id !== undefined && !isHealthy(id)) return false;
    if (this.evaluates === undefined || !this.evaluates[i]) return true;
    const target = this.targetAt(i);
    if (!target) return isHealthy(aliasHealthKey(r.aliasTarget!.dnsName));
    if (this.depth >= MAX_ALIAS_DEPTH) return false; // a loop (refused by validation) never becomes healthy
    this.depth++;
    try {
      return target.anyHealthy(isHealthy);
    } finally {
      this.depth--;
    }
  }

  select(isHealthy: HealthLookup, random: RandomSource, client: Client = UNKNOWN_CLIENT): readonly RecordSetModel[] {
    if (this.evaluates === undefined) {
      this.current = isHealthy;
      return this.router.select(this.health, random, client);
    }
    return this.withHealth(isHealthy, () => this.router.select(this.health, random, client));
  }

  prepare(isHealthy: HealthLookup, client: Client = UNKNOWN_CLIENT): PreparedSelect {
    const n = this.records.length;
    const flags = new Uint8Array(n);
    for (let i = 0; i < n; i++) flags[i] = this.memberHealthy(i, isHealthy) ? 1 : 0;
    const fixed: MemberHealth = (i) => flags[i] === 1;
    const router = this.router;
    if (router.prepare) return router.prepare(fixed, client);
    return { select: (random) => router.select(fixed, random, client) };
  }

  distribution(isHealthy: HealthLookup, limits?: DistributionOptions, client: Client = UNKNOWN_CLIENT): AnswerOutcome[] {
    const maxOutcomes = limits?.maxOutcomes ?? DEFAULT_MAX_OUTCOMES;
    return this.withHealth(isHealthy, () => this.router.outcomes(this.health, maxOutcomes, client)).map((o) => {
      const rs = o.indices.map((i) => this.records[i]);
      return { setIdentifiers: rs.map((r) => r.setIdentifier ?? ''), records: rs, probability: o.probability };
    });
  }

  inclusionProbabilities(isHealthy: HealthLookup, client: Client = UNKNOWN_CLIENT): number[] {
    return this.withHealth(isHealthy, () => this.router.inclusion(this.health, client));
  }

  anyHealthy(isHealthy: HealthLookup): boolean {
    for (let i = 0; i < this.records.length; i++) if (this.memberHealthy(i, isHealthy)) return true;
    return false;
  }
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
  client?: Client,
): RecordSetModel[] {
  return [...compileGroup(records).select(isHealthy, random, client)];
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
  client?: Client,
): Array<{ setIdentifiers: string[]; probability: number; records: RecordSetModel[] }> {
  return compileGroup(records).distribution(isHealthy, options, client);
}

/**
 * Per record of a group, in record order, the share of queries whose answer holds it: the exact
 * probability, for any group size (a weighted record: its weight over the candidates' weights; a
 * multivalue candidate: min(1, 8 / candidates); the failover answer: 1). The one place answer
 * shares are computed: the verifier's what-if tables, `up` and the DNS node's status all call it.
 */
export function answerShares(group: CompiledGroup | readonly RecordSetModel[], isHealthy: HealthLookup, client?: Client): number[] {
  const compiled = isCompiledGroup(group) ? group : compileGroup(group);
  return compiled.inclusionProbabilities(isHealthy, client);
}

function isCompiledGroup(x: CompiledGroup | readonly RecordSetModel[]): x is CompiledGroup {
  return !Array.isArray(x);
}
