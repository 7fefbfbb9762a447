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
import { IndexOutcome, MemberHealth, NO_ANSWER, PreparedAnswer, Router, singleAnswers } from './router';
import { RecordSetModel } from '../../model';

export function compileFailover(records: readonly RecordSetModel[]): Router {
  const primaries = records.flatMap((r, i) => (r.failover === 'PRIMARY' ? [i] : []));
  const secondaries = records.flatMap((r, i) => (r.failover === 'SECONDARY' ? [i] : []));
  const order = [...primaries, ...secondaries];
  const lastResort = order.length > 0 ? order[0] : -1;
  const singles = singleAnswers(records);

  const choose = (health: MemberHealth): number => {
    for (let k = 0; k < order.length; k++) if (health(order[k])) return order[k];
    return lastResort;
  };

  return {
    select(health) {
      const i = choose(health);
      return i < 0 ? NO_ANSWER : singles[i];
    },
    prepare(health) {
      const i = choose(health);
      return new PreparedAnswer(i < 0 ? NO_ANSWER : singles[i], false);
    },
    outcomes(health): IndexOutcome[] {
      const i = choose(health);
      return i < 0 ? [] : [{ indices: [i], probability: 1 }];
    },
    inclusion(health) {
      const i = choose(health);
      return records.map((_, k) => (k === i ? 1 : 0));
    },
  };
}
