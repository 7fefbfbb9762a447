/** Prints what an example synthesized, read back from the artifact with the target's own reader. */
import { FailoverModel } from '../lib/model';

export interface SummaryLabels {
  /** The artifact's name for a health check, e.g. `AWS::Route53::HealthCheck`. */
  readonly healthCheck: string;
  /** The artifact's name for a record, e.g. `AWS::Route53::RecordSet`. */
  readonly record: string;
}

export function printSummary(model: FailoverModel, labels: SummaryLabels, warnings: readonly string[]): void {
  console.log(`\n${model.healthChecks.length} health checks (${labels.healthCheck}):`);
  for (const hc of model.healthChecks) {
    const c = hc.config;
    const where = `${c.ipAddress ?? c.fullyQualifiedDomainName}:${c.port}${c.resourcePath ?? ''}`;
    console.log(`  ${hc.name ?? hc.id}: ${c.type} ${where}, every ${c.requestInterval} s, failure threshold ${c.failureThreshold}`);
  }
  console.log(`\n${model.recordSets.length} records (${labels.record}):`);
  for (const r of model.recordSets) {
    const policy = r.weight !== undefined ? `weight ${r.weight}` : r.failover ?? (r.multiValueAnswer ? 'multivalue' : 'simple');
    console.log(`  ${r.name} ${r.recordType} ${r.values.join(',')} [${r.setIdentifier}] ${policy}, TTL ${r.ttl} s, guarded by ${r.healthCheckId ?? 'nothing'}`);
  }
  const interval = model.healthChecks[0]?.config.requestInterval ?? 30;
  const threshold = model.healthChecks[0]?.config.failureThreshold ?? 3;
  const ttl = model.recordSets[0]?.ttl ?? 60;
  console.log(`\nA gateway that stops answering leaves the set after about ${interval * threshold} s ` +
    `(${threshold} x ${interval} s), and clients follow within ${ttl} s more (TTL).`);
  if (warnings.length) {
    console.log('\nWarnings:');
    for (const w of warnings) console.log(`  ${w}`);
  }
}
