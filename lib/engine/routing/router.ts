/**
 * The shape every routing policy module has (gdnsd style: one small module per routing behaviour,
 * all of the same shape). A router is compiled once per record group (one name and type, one
 * policy) and then answers queries without rebuilding anything.
 *
 * ROUTE53.md §2 "Choosing an answer": "choose a record by the routing policy; if it is unhealthy,
 * choose again by the same policy among the rest. Health comes from the last computed verdict,
 * never from a probe at query time."
 */
import { RecordSetModel } from '../../model/types';
import { RandomSource } from '../random';

/**
 * The verdict of a health check by id, as {@link HealthState.isHealthy} gives it.
 * The routers never call it for a record without a health check: ROUTE53.md §2 "A record
 * **without** a health check is always healthy."
 */
export type HealthLookup = (healthCheckId: string | undefined) => boolean;

/** One possible answer, as ascending indices into the group's records, with its probability. */
export interface IndexOutcome {
  readonly indices: readonly number[];
  readonly probability: number;
}

export interface Router {
  /**
   * The records that answer one query, in the group's record order. Never empty for a non-empty
   * group (last resort). A frozen array; the same choice returns the same array.
   */
  select(isHealthy: HealthLookup, random: RandomSource): readonly RecordSetModel[];
  /** Every possible answer of {@link select} with its exact probability, in a fixed order. */
  outcomes(isHealthy: HealthLookup, maxOutcomes: number): IndexOutcome[];
  /** Per record (by index), the exact probability that it is part of the answer. */
  inclusion(isHealthy: HealthLookup): number[];
}

/** Health of each record, read once: a record without a health check is always healthy. */
export function healthFlags(ids: readonly (string | undefined)[], isHealthy: HealthLookup, into?: Uint8Array): Uint8Array {
  const flags = into ?? new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    flags[i] = id === undefined || isHealthy(id) ? 1 : 0;
  }
  return flags;
}

/** The answer of an empty group. */
export const NO_ANSWER: readonly RecordSetModel[] = Object.freeze([]);

/** Frozen one-record answers, built once per group so that single-record policies allocate nothing per query. */
export function singleAnswers(records: readonly RecordSetModel[]): ReadonlyArray<readonly RecordSetModel[]> {
  return records.map((r) => Object.freeze([r]));
}
