/**
 * What-if tables: the exact answer distribution of a gateway when everything is healthy, with each
 * member (and, in a routing tree, each branch and endpoint below) down, and with everything down (the
 * last resort), computed by the engine: a `HealthState` with the checks overridden to unhealthy, then
 * the engine's routing tree (`compileTree`) for a client. Nothing here decides an answer itself.
 */
import { ClientSpec, engineClient, representativeClients, treeRegions } from './clients';
import { Gateway, memberDownKeys } from './gateways';
import { answerShares, Client, CompiledTree, compileTree, HealthState, TreeGroup, UNKNOWN_CLIENT } from '../engine';
import { FailoverModel, zoneKeyOf } from '../model';

export interface AnswerShare {
  /** The set identifiers of the answering records. */
  readonly setIdentifiers: readonly string[];
  /** The values answered (one per record for weighted, failover and multivalue records). */
  readonly values: readonly string[];
  readonly probability: number;
  /** In a routing tree: the set identifiers chosen on the way down, aliases first. */
  readonly path?: readonly string[];
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
  /** Every possible final answer with its probability (undefined when there are too many to list). */
  readonly answers?: readonly AnswerShare[];
  /** Per member (by set identifier, in member order): the probability it is part of the answer (or, for an alias, that the answer comes through it). */
  readonly shares: ReadonlyArray<{ readonly setIdentifier: string; readonly probability: number }>;
  readonly note?: string;
}

/** The scenarios for one client of a gateway whose answers depend on the client. */
export interface ClientScenarios {
  /** How the client is named: `DE`, `near eu-west-1`, `203.0.113.0/24`, `elsewhere`. */
  readonly client: string;
  readonly scenarios: readonly Scenario[];
}

export interface WhatIf {
  readonly members: readonly string[];
  /** The scenarios (for a client-dependent gateway: those of its first client). */
  readonly scenarios: readonly Scenario[];
  /** A client-dependent gateway (geolocation, latency, IP-based routing in its tree): the scenarios per client. */
  readonly clients?: readonly ClientScenarios[];
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

const TREES = new WeakMap<FailoverModel, CompiledTree>();

/** The routing trees of a model, compiled once per model. */
export function treeOf(model: FailoverModel): CompiledTree {
  let tree = TREES.get(model);
  if (!tree) {
    tree = compileTree(model);
    TREES.set(model, tree);
  }
  return tree;
}

/** The engine's group of a gateway. */
export function treeGroupOf(model: FailoverModel, g: Gateway): TreeGroup {
  const tree = treeOf(model);
  const found = tree.find(g.name, g.recordType, zoneKeyOf(g.group.records[0]));
  if (!found) throw new Error(`internal error: the engine has no group for gateway ${g.key}`);
  return found;
}

/** The distribution of a gateway's answers under the given verdicts, for a client. */
export function scenario(
  model: FailoverModel,
  g: Gateway,
  state: HealthState,
  label: string,
  down: readonly string[],
  downChecks: readonly string[],
  note?: string,
  client: Client = UNKNOWN_CLIENT,
): Scenario {
  const tree = treeOf(model);
  const tg = treeGroupOf(model, g);
  const isHealthy = (id: string | undefined) => state.isHealthy(id);
  const records = g.group.records;
  const lastResort = records.length > 0 && !tg.group.anyHealthy(isHealthy);
  const shares = answerShares(tg.group, isHealthy, client);
  let answers: AnswerShare[] | undefined;
  try {
    answers = tree.outcomes(tg, isHealthy, client, { maxOutcomes: MAX_LISTED_ANSWERS }).map((o) => ({
      setIdentifiers: o.setIdentifiers,
      values: o.records.flatMap((r) => [...r.values]),
      probability: round(o.probability),
      ...(g.inTree ? { path: o.path.map((r) => r.setIdentifier ?? r.name) } : {}),
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

interface ScenarioSpec {
  readonly label: string;
  readonly down: readonly string[];
  readonly checks: readonly string[];
  readonly note?: string;
}

/** All healthy, each member down (and in a tree each endpoint below), all down. */
function scenarioSpecs(g: Gateway, gateways: readonly Gateway[]): ScenarioSpec[] {
  const specs: ScenarioSpec[] = [{ label: 'all healthy', down: [], checks: [] }];
  const checksOf = g.members.map((m) => memberDownKeys(m, gateways));
  g.members.forEach((m, i) => {
    const ids = checksOf[i];
    const label = `${m.setIdentifier || `member ${i + 1}`} down`;
    if (ids.length === 0) {
      const why = m.record.aliasTarget && !m.record.aliasTarget.evaluateTargetHealth
        ? 'EvaluateTargetHealth is off: Route 53 keeps answering from its target'
        : m.target ? 'nothing below it has a health check: it is never taken out' : 'no health check: Route 53 keeps answering this member';
      specs.push({ label, down: [m.setIdentifier], checks: [], note: why });
      return;
    }
    const sharing = g.members
      .filter((_, j) => j !== i && checksOf[j].length > 0 && checksOf[j].every((id) => ids.includes(id)))
      .map((o) => o.setIdentifier);
    const inverted = m.healthCheck?.config.inverted === true;
    const notes = [
      ...(sharing.length > 0 ? [`shares its health check with ${sharing.join(', ')}, which go down with it`] : []),
      ...(inverted ? ['its health check is inverted: a failed endpoint makes it healthy'] : []),
      ...(m.healthCheck?.config.disabled ? ['its health check is disabled: the verdict does not follow the endpoint'] : []),
      ...(m.target ? [`the whole branch ${m.target} fails`] : []),
      ...(!m.target && m.record.aliasTarget ? [`the AWS resource ${m.record.aliasTarget.dnsName} reports unhealthy (EvaluateTargetHealth)`] : []),
    ];
    specs.push({ label, down: [m.setIdentifier, ...sharing], checks: ids, ...(notes.length > 0 ? { note: notes.join('; ') } : {}) });
  });
  // In a tree: each endpoint of the branches below, one at a time.
  const leaves: Array<{ label: string; id: string }> = [];
  for (const m of g.members) {
    const below = m.target !== undefined ? gateways.find((x) => x.key === m.target) : undefined;
    if (!below) continue;
    const walk = (x: Gateway, depth: number) => {
      for (const leaf of x.members) {
        const t = leaf.target !== undefined ? gateways.find((y) => y.key === leaf.target) : undefined;
        if (t && depth < 8) walk(t, depth + 1);
        else if (leaf.record.healthCheckId !== undefined) leaves.push({ label: leaf.setIdentifier || x.name, id: leaf.record.healthCheckId });
      }
    };
    walk(below, 1);
  }
  const seen = new Set(specs.map((s) => s.label));
  for (const leaf of leaves) {
    const label = `${leaf.label} down`;
    if (seen.has(label)) continue;
    seen.add(label);
    specs.push({ label, down: [leaf.label], checks: [leaf.id] });
  }
  const all = [...new Set(checksOf.flat())];
  const unchecked = g.members.filter((_, i) => checksOf[i].length === 0).map((m) => m.setIdentifier);
  specs.push({
    label: 'all down',
    down: g.members.filter((_, i) => checksOf[i].length > 0).map((m) => m.setIdentifier),
    checks: all,
    ...(unchecked.length > 0 ? { note: `${unchecked.join(', ')} ha${unchecked.length === 1 ? 's' : 've'} no health check and stay${unchecked.length === 1 ? 's' : ''} healthy` } : {}),
  });
  return specs;
}

/** The what-if table of a gateway: per client when its answers depend on the client. */
export function whatIf(model: FailoverModel, g: Gateway, gateways: readonly Gateway[], clients?: readonly ClientSpec[]): WhatIf {
  const specs = scenarioSpecs(g, gateways);
  const run = (client: Client) => specs.map((s) => scenario(model, g, verdicts(model, s.checks), s.label, s.down, s.checks, s.note, client));
  const members = g.members.map((m) => m.setIdentifier);
  if (!g.clientDependent) return { members, scenarios: run(UNKNOWN_CLIENT) };
  const regions = treeRegions(g, gateways);
  const chosen = clients ?? representativeClients(g, gateways, model);
  const byClient = chosen.map((c) => ({ client: c.label, scenarios: run(engineClient(c, regions)) }));
  return { members, scenarios: byClient[0]?.scenarios ?? run(UNKNOWN_CLIENT), clients: byClient };
}
