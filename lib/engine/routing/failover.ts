/**
 * Failover routing (ROUTE53.md §2 "Failover (primary / secondary)"):
 *
 * | primary   | secondary                    | answer    |
 * |-----------|------------------------------|-----------|
 * | healthy   | any                          | primary   |
 * | unhealthy | healthy (or no health check) | secondary |
 * | unhealthy | unhealthy                    | primary   |
 *
 * The last row is the last resort ("when no record of the group is healthy, all are treated as
 * healthy and the policy chooses among them"): with both treated as healthy, the first row applies.
 *
 * A valid group has exactly one PRIMARY and one SECONDARY. For an unvalidated group (our choice):
 * the first healthy PRIMARY in record order, else the first healthy SECONDARY, else the first
 * PRIMARY (the first SECONDARY when there is no PRIMARY). No randomness is used.
 */
import { HealthLookup, IndexOutcome, NO_ANSWER, Router, singleAnswers } from './router';
import { RecordSetModel } from '../../model/types';

export function compileFailover(records: readonly RecordSetModel[]): Router {
  const ids = records.map((r) => r.healthCheckId);
  const primaries = records.flatMap((r, i) => (r.failover === 'PRIMARY' ? [i] : []));
  const secondaries = records.flatMap((r, i) => (r.failover === 'SECONDARY' ? [i] : []));
  const order = [...primaries, ...secondaries];
  const lastResort = order.length > 0 ? order[0] : -1;
  const singles = singleAnswers(records);

  const choose = (isHealthy: HealthLookup): number => {
    for (let k = 0; k < order.length; k++) {
      const id = ids[order[k]];
      if (id === undefined || isHealthy(id)) return order[k];
    }
    return lastResort;
  };

  return {
    select(isHealthy) {
      const i = choose(isHealthy);
      return i < 0 ? NO_ANSWER : singles[i];
    },
    outcomes(isHealthy): IndexOutcome[] {
      const i = choose(isHealthy);
      return i < 0 ? [] : [{ indices: [i], probability: 1 }];
    },
    inclusion(isHealthy) {
      const i = choose(isHealthy);
      return records.map((_, k) => (k === i ? 1 : 0));
    },
  };
}
