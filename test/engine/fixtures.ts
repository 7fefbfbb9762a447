import { CheckerReport, HealthLookup } from '../../lib/engine';
import { HealthCheckConfigModel, HealthCheckModel, RecordSetModel } from '../../lib/model/types';

/** An endpoint (HTTP) health check unless the config says otherwise. */
export function healthCheck(id: string, config: Partial<HealthCheckConfigModel> = {}): HealthCheckModel {
  return { id, config: { type: 'HTTP', ipAddress: '192.0.2.10', ...config } as HealthCheckConfigModel };
}

export function calculated(
  id: string,
  children: string[],
  healthThreshold: number | undefined,
  extra: Partial<HealthCheckConfigModel> = {},
): HealthCheckModel {
  return { id, config: { type: 'CALCULATED', childHealthChecks: children, healthThreshold, ...extra } };
}

export function report(checkerId: string, healthy: boolean, observedAt: number, region = 'us-east-1'): CheckerReport {
  return { checkerId, region, healthy, observedAt };
}

const base = { hostedZoneName: 'example.com', name: 'api.example.com', recordType: 'A' as const, ttl: 60 };

/** Health of a record in a table: healthy, unhealthy, or no health check at all. */
export type Health = 'up' | 'down' | 'none';

export function weightedRecord(setIdentifier: string, weight: number, health: Health = 'none', value = '192.0.2.1'): RecordSetModel {
  return { ...base, values: [value], setIdentifier, weight, ...(health === 'none' ? {} : { healthCheckId: `hc-${setIdentifier}` }) };
}

export function failoverRecord(setIdentifier: string, failover: 'PRIMARY' | 'SECONDARY', health: Health = 'none'): RecordSetModel {
  return { ...base, values: ['192.0.2.1'], setIdentifier, failover, ...(health === 'none' ? {} : { healthCheckId: `hc-${setIdentifier}` }) };
}

export function multivalueRecord(setIdentifier: string, health: Health = 'none', value = '192.0.2.1'): RecordSetModel {
  return { ...base, values: [value], setIdentifier, multiValueAnswer: true, ...(health === 'none' ? {} : { healthCheckId: `hc-${setIdentifier}` }) };
}

export function simpleRecord(health: Health = 'none'): RecordSetModel {
  return { ...base, values: ['192.0.2.1', '192.0.2.2'], ...(health === 'none' ? {} : { healthCheckId: 'hc-simple' }) };
}

/**
 * A health lookup for records built above: `down` lists the set identifiers whose check is unhealthy.
 * Fails the test when it is asked about a record without a health check (the engine must not ask).
 */
export function lookup(down: Iterable<string>): HealthLookup {
  const unhealthy = new Set([...down].map((s) => `hc-${s}`));
  return (id) => {
    if (id === undefined) throw new Error('the engine asked for the health of a record without a health check');
    return !unhealthy.has(id);
  };
}

/** Records from a compact table: `{ a: [weight, health] }`, returning records and the down set. */
export function weightedTable(spec: Record<string, [number, Health]>): { records: RecordSetModel[]; isHealthy: HealthLookup } {
  const records = Object.entries(spec).map(([id, [w, h]]) => weightedRecord(id, w, h));
  const down = Object.entries(spec).filter(([, [, h]]) => h === 'down').map(([id]) => id);
  return { records, isHealthy: lookup(down) };
}

/** A random source that replays the given values (cycling). */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

/**
 * Pearson's chi-square statistic of observed counts against expected probabilities.
 * Cells with zero expected probability must have zero observations (else Infinity).
 */
export function chiSquare(observed: number[], probabilities: number[]): number {
  const n = observed.reduce((a, b) => a + b, 0);
  let x = 0;
  for (let i = 0; i < observed.length; i++) {
    const e = n * probabilities[i];
    if (e === 0) {
      if (observed[i] !== 0) return Infinity;
      continue;
    }
    x += ((observed[i] - e) ** 2) / e;
  }
  return x;
}

/** Chi-square critical values at significance 0.001 for 1..10 degrees of freedom (standard tables). */
const CHI_SQUARE_001 = [10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322, 26.124, 27.877, 29.588];

/**
 * Upper critical value of the chi-square distribution with `df` degrees of freedom at significance
 * 0.001: from the table up to 10, then the Wilson-Hilferty approximation (within 1 % of the
 * tables from there on).
 */
export function chiSquareCritical001(df: number): number {
  if (df >= 1 && df <= CHI_SQUARE_001.length) return CHI_SQUARE_001[df - 1];
  const z = 3.090232; // standard normal quantile for 1 - 0.001
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}
