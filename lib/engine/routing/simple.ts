/**
 * Simple routing: the group's record answers (ROUTE53.md §2, "simple (its record)"). A valid simple
 * group holds one record; should an unvalidated group hold several, all of them answer, as if their
 * values were merged (our choice). Health checks play no part: with a single record the last resort
 * would answer it anyway.
 */
import { IndexOutcome, PreparedAnswer, Router } from './router';
import { RecordSetModel } from '../../model';

export function compileSimple(records: readonly RecordSetModel[]): Router {
  const all = Object.freeze([...records]);
  const indices = Object.freeze(records.map((_, i) => i));
  return {
    select: () => all,
    prepare: () => new PreparedAnswer(all, false),
    outcomes: (): IndexOutcome[] => (records.length === 0 ? [] : [{ indices, probability: 1 }]),
    inclusion: () => records.map(() => 1),
  };
}
