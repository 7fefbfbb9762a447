/**
 * What-if tables: the exact answer distribution of a gateway when everything is healthy, with each
 * single member down, and with every member down (the last resort), computed by the engine: a
 * `HealthState` with the members' checks overridden to unhealthy, then `answerDistribution`.
 * Nothing here decides an answer itself.
 */
import { answerShares, compileGroup, HealthState } from '../engine';
import { FailoverModel } from '../model';
import { Gateway } from './gateways';

export interface AnswerShare {
  /** The set identifiers of the answering records. */
  readonly setIdentifiers: readonly string[];
  /** The values answered (one per record for weighted, failover and multivalue records). */
  readonly values: readonly string[];
  readonly probability: number;
}

export interface Scenario {
  /** `all healthy`, `<member> down`, `all down`. */
  readonly label: string;
  /** The members whose health check is marked down (by set identifier). */
  readonly down: readonly string[];
  /** The health checks overridden to unhealthy. */
  readonly downChecks: readonly string[];
  /** No member is healthy, so Route 53 answers as if all were (ROUTE53.md §2 "Last resort"). */
  readonly lastResort: boolean;
  /** Every possible answer with its probability (undefined when there are too many to list). */
  readonly answers?: readonly AnswerShare[];
  /** Per member (by set identifier, in member order): the probability it is part of the answer. */
  readonly shares: ReadonlyArray<{ readonly setIdentifier: string; readonly probability: number }>;
  readonly note?: string;
}

export interface WhatIf {
  readonly members: readonly string[];
  readonly scenarios: readonly Scenario[];
}

/** The answers listed at most per scenario (a multivalue gateway of 16 members has 12,870). */
export const MAX_LISTED_ANSWERS = 1000;

const round = (x: number) => Math.round(x * 1e9) / 1e9;

/** The engine's verdicts for `model` with the given checks overridden to unhealthy (`down`) or healthy (`up`). */
export function verdicts(model: FailoverModel, down: Iterable<string>, up: Iterable<string> = []): HealthState {
  const state = new HealthState(model.healthChecks);
  for (const id of up) state.override(id, true);
  for (const id of down) state.override(id, false);
  state.evaluate(0);
  return state;
}

/** The distribution of a gateway's answers under the given verdicts. */
export function scenario(
  g: Gateway,
  state: HealthState,
  label: string,
  down: readonly string[],
  downChecks: readonly string[],
  note?: string,
): Scenario {
  const records = g.group.records;
  const isHealthy = (id: string | undefined) => state.isHealthy(id);
  const lastResort = records.length > 0 && records.every((r) => r.healthCheckId !== undefined && !state.isHealthy(r.healthCheckId));
  const group = compileGroup(records);
  const shares = answerShares(group, isHealthy);
  let answers: AnswerShare[] | undefined;
  try {
    answers = group.distribution(isHealthy, { maxOutcomes: MAX_LISTED_ANSWERS }).map((o) => ({
      setIdentifiers: o.setIdentifiers,
      values: o.records.flatMap((r) => [...r.values]),
      probability: round(o.probability),
    }));
  } catch (e) {
    if (!(e instanceof RangeError)) throw e; // too many possible answers to list: the shares still hold
  }
  return {
    label,
    down,
    downChecks,
    lastResort,
    ...(answers ? { answers } : {}),
    shares: records.map((r, i) => ({ setIdentifier: r.setIdentifier ?? '', probability: round(shares[i]) })),
    ...(note ? { note } : {}),
  };
}

/** All healthy, each member down, all down. */
export function whatIf(model: FailoverModel, g: Gateway): WhatIf {
  const scenarios: Scenario[] = [scenario(g, verdicts(model, []), 'all healthy', [], [])];
  const checkOf = (i: number) => g.members[i].record.healthCheckId;
  g.members.forEach((m, i) => {
    const id = checkOf(i);
    const label = `${m.setIdentifier || `member ${i + 1}`} down`;
    if (id === undefined) {
      scenarios.push(scenario(g, verdicts(model, []), label, [m.setIdentifier], [], 'no health check: Route 53 keeps answering this member'));
      return;
    }
    const sharing = g.members.filter((_, j) => j !== i && checkOf(j) === id).map((o) => o.setIdentifier);
    const inverted = m.healthCheck?.config.inverted === true;
    const notes = [
      ...(sharing.length > 0 ? [`shares its health check with ${sharing.join(', ')}, which go down with it`] : []),
      ...(inverted ? ['its health check is inverted: a failed endpoint makes it healthy'] : []),
      ...(m.healthCheck?.config.disabled ? ['its health check is disabled: the verdict does not follow the endpoint'] : []),
    ];
    scenarios.push(scenario(g, verdicts(model, [id]), label, [m.setIdentifier, ...sharing], [id], notes.length > 0 ? notes.join('; ') : undefined));
  });
  const all = [...new Set(g.members.map((m) => m.record.healthCheckId).filter((x): x is string => x !== undefined))];
  const unchecked = g.members.filter((m) => m.record.healthCheckId === undefined).map((m) => m.setIdentifier);
  scenarios.push(scenario(
    g,
    verdicts(model, all),
    'all down',
    g.members.filter((m) => m.record.healthCheckId !== undefined).map((m) => m.setIdentifier),
    all,
    unchecked.length > 0 ? `${unchecked.join(', ')} ha${unchecked.length === 1 ? 's' : 've'} no health check and stay${unchecked.length === 1 ? 's' : ''} healthy` : undefined,
  ));
  return { members: g.members.map((m) => m.setIdentifier), scenarios };
}
