/**
 * Validation of the Route 53 resource model: the rules of ROUTE53.md §1 and §3, written once.
 *
 * Every target (CloudFormation, Terraform, self-hosted) and the verifier call these functions with
 * the capabilities of the target at hand; nothing else re-implements a rule. The rules live in
 * `rules/` (health checks, record sets, groups of records); a finding (`findings.ts`) names the
 * resource, the bad value and the fix as fields.
 */
import { TargetCapabilities } from './capabilities';
import { Finding } from './findings';
import { groupRecords, RecordGroup, validateCnameExclusivity, validateGroup, validateReferences } from './rules/group';
import { validateHealthCheck } from './rules/health-check';
import { validateRecordSet } from './rules/record';
import { validateCollections, validateTrees } from './rules/tree';
import { FailoverModel } from './types';

export { validateHealthCheck } from './rules/health-check';
export { validateRecordSet } from './rules/record';
export { failoverWarnings, geoKey, groupRecords, groupSubject, sameZone, validateGroup } from './rules/group';
export { validateCollections, validateTrees } from './rules/tree';
export type { RecordGroup } from './rules/group';

/** All rules over a whole artifact. */
export function validateModel(model: FailoverModel, caps: TargetCapabilities): Finding[] {
  return validateModelGroups(model, caps).findings;
}

/** {@link validateModel}, with the record groups it formed (for callers that need them too: grouped once). */
export function validateModelGroups(model: FailoverModel, caps: TargetCapabilities): { findings: Finding[]; groups: RecordGroup[] } {
  const out: Finding[] = [];
  for (const hc of model.healthChecks) pushAll(out, validateHealthCheck(hc, caps));
  for (const r of model.recordSets) pushAll(out, validateRecordSet(r, caps));
  const groups = groupRecords(model.recordSets);
  for (const g of groups) pushAll(out, validateGroup(g));
  pushAll(out, validateCnameExclusivity(groups, model.recordSets));
  pushAll(out, validateReferences(model));
  pushAll(out, validateTrees(model, groups));
  pushAll(out, validateCollections(model));
  return { findings: out, groups };
}

/** `out.push(...more)` without spreading (most lists are empty). */
function pushAll(out: Finding[], more: readonly Finding[]): void {
  for (let i = 0; i < more.length; i++) out.push(more[i]);
}
