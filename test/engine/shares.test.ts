/**
 * `answerShares`: the one function that says which share of the answers holds each record (the
 * verifier's what-if tables, `up` and the DNS node's status use it). Expectations are worked out by
 * hand from ROUTE53.md §2, not from the engine's own distribution.
 */
import { answerShares, compileGroup } from '../../lib/engine';
import { RecordSetModel } from '../../lib/model';

const rec = (id: string, extra: Partial<RecordSetModel>): RecordSetModel => ({
  hostedZoneName: 'example.com', name: 'x.example.com', recordType: 'A', ttl: 60, values: [`192.0.2.${id.length}`], setIdentifier: id, healthCheckId: id, ...extra,
});
const down = (...ids: string[]) => (id: string | undefined) => !ids.includes(id!);

test('weighted: by weight among the healthy, zero weights only when nothing else is healthy, last resort', () => {
  const records = [rec('a', { weight: 3 }), rec('bb', { weight: 1 }), rec('ccc', { weight: 0 })];
  expect(answerShares(records, down())).toEqual([0.75, 0.25, 0]);
  expect(answerShares(records, down('a'))).toEqual([0, 1, 0]);
  expect(answerShares(records, down('a', 'bb'))).toEqual([0, 0, 1]);
  // Last resort: everything unhealthy answers as if healthy; the zero weight stays out (our choice).
  expect(answerShares(records, down('a', 'bb', 'ccc'))).toEqual([0.75, 0.25, 0]);
});

test('weighted: every weight 0 means equal shares', () => {
  const records = [rec('a', { weight: 0 }), rec('bb', { weight: 0 }), rec('ccc', { weight: 0 }), rec('dddd', { weight: 0 })];
  expect(answerShares(records, down())).toEqual([0.25, 0.25, 0.25, 0.25]);
  expect(answerShares(records, down('a'))).toEqual([0, 1 / 3, 1 / 3, 1 / 3]);
});

test('failover: the truth table', () => {
  const records = [rec('p', { failover: 'PRIMARY' }), rec('ss', { failover: 'SECONDARY' })];
  expect(answerShares(records, down())).toEqual([1, 0]);
  expect(answerShares(records, down('p'))).toEqual([0, 1]);
  expect(answerShares(records, down('ss'))).toEqual([1, 0]);
  expect(answerShares(records, down('p', 'ss'))).toEqual([1, 0]);
});

test('multivalue: every healthy record while 8 or fewer are healthy, 8 of n beyond, 8 of all in the last resort', () => {
  const ids = Array.from({ length: 10 }, (_, i) => 'm'.repeat(i + 1));
  const ten = ids.map((id) => rec(id, { multiValueAnswer: true }));
  // 9 healthy: an answer holds 8 of the 9, so each healthy record is in 8 of 9 answers.
  const nine = answerShares(ten, down(ids[0]));
  expect(nine[0]).toBe(0);
  for (const s of nine.slice(1)) expect(s).toBeCloseTo(8 / 9, 12);
  // 3 healthy: all three in every answer.
  expect(answerShares(ten, down(...ids.slice(3)))).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
  // None healthy: 8 of the 10, each in 8 of 10 answers.
  for (const s of answerShares(ten, down(...ids))) expect(s).toBeCloseTo(0.8, 12);
  // 40 records: C(40, 8) possible answers, far too many to list, and still each in 8 of 40.
  const many = Array.from({ length: 40 }, (_, i) => rec(`n${i}`, { multiValueAnswer: true, values: [`192.0.2.${i}`] }));
  for (const s of answerShares(many, down())) expect(s).toBeCloseTo(0.2, 12);
});

test('simple: the record answers always', () => {
  expect(answerShares([{ hostedZoneName: 'example.com', name: 'x.example.com', recordType: 'A', ttl: 60, values: ['192.0.2.1'] }], down())).toEqual([1]);
});

test('a compiled group gives the same shares as its records', () => {
  const records = [rec('a', { weight: 1 }), rec('bb', { weight: 3 })];
  expect(answerShares(compileGroup(records), down())).toEqual([0.25, 0.75]);
});
