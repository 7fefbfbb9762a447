/**
 * The shape every routing policy module has (gdnsd style: one small module per routing behaviour,
 * all of the same shape). A router is compiled once per record group (one name and type, one
 * policy) and then answers queries without rebuilding anything.
 *
 * ROUTE53.md §2 "Choosing an answer": "choose a record by the routing policy; if it is unhealthy,
 * choose again by the same policy among the rest. Health comes from the last computed verdict,
 * never from a probe at query time."
 */
import { RecordSetModel } from '../../model';
import { Client } from '../client';
import { RandomSource } from '../random';

/**
 * The verdict of a health check by id, as {@link HealthState.isHealthy} gives it.
 * ROUTE53.md §2 "A record **without** a health check is always healthy": the group never asks for a
 * record without a health check.
 */
export type HealthLookup = (healthCheckId: string | undefined) => boolean;

/**
 * Whether the group's record at `index` counts as healthy: its health check, and for an alias with
 * EvaluateTargetHealth the health of its target (ROUTE53.md §2 "Alias records"). The group computes
 * it; a router only reads it, at most once per record and query.
 */
export type MemberHealth = (index: number) => boolean;

/** One possible answer, as ascending indices into the group's records, with its probability. */
export interface IndexOutcome {
  readonly indices: readonly number[];
  readonly probability: number;
}

export interface Router {
  /**
   * The records that answer one query, in the group's record order. Never empty for a non-empty
   * group (last resort), except where the policy has no record for the client (a geolocation or
   * IP-based group without a matching record and without a default: "no answer"). A frozen array; the
   * same choice returns the same array.
   */
  select(health: MemberHealth, random: RandomSource, client: Client): readonly RecordSetModel[];
  /** Every possible answer of {@link select} with its exact probability, in a fixed order. */
  outcomes(health: MemberHealth, maxOutcomes: number, client: Client): IndexOutcome[];
  /** Per record (by index), the exact probability that it is part of the answer. */
  inclusion(health: MemberHealth, client: Client): number[];
}

/** Health of each record, read once. */
export function healthFlags(n: number, health: MemberHealth, into?: Uint8Array): Uint8Array {
  const flags = into ?? new Uint8Array(n);
  for (let i = 0; i < n; i++) flags[i] = health(i) ? 1 : 0;
  return flags;
}

/**
 * The answer of a policy that picks along a chain of candidates (geolocation: smallest area first;
 * latency: nearest region first; IP-based: longest block first, then the default): the first healthy
 * one, or, when none is, the first (the last resort of these policies). -1 for an empty chain.
 */
export function firstHealthy(chain: readonly number[], health: MemberHealth): number {
  for (let k = 0; k < chain.length; k++) if (health(chain[k])) return chain[k];
  return chain.length > 0 ? chain[0] : -1;
}

/** Outcomes and inclusion of a policy that gives one record (or none) per client. */
export function singleChoice(n: number, chosen: number): { outcomes: IndexOutcome[]; inclusion: number[] } {
  return {
    outcomes: chosen < 0 ? [] : [{ indices: [chosen], probability: 1 }],
    inclusion: Array.from({ length: n }, (_, k) => (k === chosen ? 1 : 0)),
  };
}

/** The answer of an empty group. */
export const NO_ANSWER: readonly RecordSetModel[] = Object.freeze([]);

/** Frozen one-record answers, built once per group so that single-record policies allocate nothing per query. */
export function singleAnswers(records: readonly RecordSetModel[]): ReadonlyArray<readonly RecordSetModel[]> {
  return records.map((r) => Object.freeze([r]));
}

/**
 * The router of a policy that picks along a chain of candidates per client (geolocation, latency,
 * IP-based): one record, the first healthy one of the client's chain (`firstHealthy`), or none.
 */
export function chainRouter(records: readonly RecordSetModel[], chainOf: (client: Client) => readonly number[]): Router {
  const singles = singleAnswers(records);
  const choose = (health: MemberHealth, client: Client) => firstHealthy(chainOf(client), health);
  return {
    select(health, _random, client) {
      const i = choose(health, client);
      return i < 0 ? NO_ANSWER : singles[i];
    },
    outcomes: (health, _max, client): IndexOutcome[] => singleChoice(records.length, choose(health, client)).outcomes,
    inclusion: (health, client) => singleChoice(records.length, choose(health, client)).inclusion,
  };
}
