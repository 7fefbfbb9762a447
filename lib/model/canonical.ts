import { CidrCollectionModel, FailoverModel, HealthCheckModel, RecordSetModel } from './types';

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
 * CIDR collections by id, no undefined fields. Two artifacts that say the same thing have equal canonical models.
 */
export function canonicalModel(model: FailoverModel): FailoverModel {
  const healthChecks = [...model.healthChecks].sort((a, b) => a.id.localeCompare(b.id)).map((h) => compact<HealthCheckModel>(h));
  const recordSets = [...model.recordSets].sort((a, b) => recordKey(a).localeCompare(recordKey(b))).map((r) => compact<RecordSetModel>(r));
  // Locations by name, blocks in order (Terraform keeps a location's blocks as a set).
  const cidrCollections = [...model.cidrCollections ?? []].sort((a, b) => a.id.localeCompare(b.id)).map((c): CidrCollectionModel => ({
    id: c.id,
    name: c.name,
    locations: [...c.locations].sort((a, b) => a.name.localeCompare(b.name)).map((l) => ({ name: l.name, cidrList: [...l.cidrList].sort() })),
  }));
  return { healthChecks, recordSets, ...(cidrCollections.length > 0 ? { cidrCollections } : {}) };
}
