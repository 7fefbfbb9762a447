/**
 * Synthesizes the EMDR example into ./cdk.out (or $CDK_OUTDIR) and prints what it created.
 * Run: npx projen emdr
 */
import * as path from 'path';
import { emdrApp } from './emdr';
import { readCloudFormationTemplate } from '../../lib/targets/cloudformation';

const outdir = process.env.CDK_OUTDIR ?? path.join(__dirname, 'cdk.out');
const { app, stack } = emdrApp(outdir);
const assembly = app.synth();
const artifact = assembly.getStackByName(stack.stackName);
const model = readCloudFormationTemplate(artifact.template);

console.log(`Synthesized ${stack.stackName} into ${path.relative(process.cwd(), artifact.templateFullPath)}`);
console.log(`\n${model.healthChecks.length} health checks (AWS::Route53::HealthCheck):`);
for (const hc of model.healthChecks) {
  const c = hc.config;
  const where = `${c.ipAddress ?? c.fullyQualifiedDomainName}:${c.port}${c.resourcePath ?? ''}`;
  console.log(`  ${hc.name ?? hc.id}: ${c.type} ${where}, every ${c.requestInterval} s, failure threshold ${c.failureThreshold}`);
}
console.log(`\n${model.recordSets.length} record sets (AWS::Route53::RecordSet):`);
for (const r of model.recordSets) {
  const policy = r.weight !== undefined ? `weight ${r.weight}` : r.failover ?? (r.multiValueAnswer ? 'multivalue' : 'simple');
  console.log(`  ${r.name} ${r.recordType} ${r.values.join(',')} [${r.setIdentifier}] ${policy}, TTL ${r.ttl} s, guarded by ${r.healthCheckId ?? 'nothing'}`);
}
const interval = model.healthChecks[0]?.config.requestInterval ?? 30;
const threshold = model.healthChecks[0]?.config.failureThreshold ?? 3;
const ttl = model.recordSets[0]?.ttl ?? 60;
console.log(`\nA gateway that stops answering leaves the set after about ${interval * threshold} s ` +
  `(${threshold} x ${interval} s), and clients follow within ${ttl} s more (TTL).`);
const warnings = artifact.messages.filter((m) => m.level === 'warning');
if (warnings.length) {
  console.log(`\nWarnings:`);
  for (const w of warnings) console.log(`  ${w.id}: ${w.entry.data}`);
}
