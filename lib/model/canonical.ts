import { FailoverModel, HealthCheckModel, RecordSetModel } from './types';

function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as unknown as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = compact(v);
    }
    return out as T;
  }
  return value;
}

const recordKey = (r: RecordSetModel) => `${r.name}|${r.recordType}|${r.setIdentifier ?? ''}`;

/**
 * The same model in one canonical form: health checks by id, records by name, type and set identifier,
 * no undefined fields. Two artifacts that say the same thing have equal canonical models.
 */
export function canonicalModel(model: FailoverModel): FailoverModel {
  const healthChecks = [...model.healthChecks].sort((a, b) => a.id.localeCompare(b.id)).map((h) => compact<HealthCheckModel>(h));
  const recordSets = [...model.recordSets].sort((a, b) => recordKey(a).localeCompare(recordKey(b))).map((r) => compact<RecordSetModel>(r));
  return { healthChecks, recordSets };
}
