/**
 * Synthesizes the EMDR example into ./cdktf.out (or $CDKTF_OUTDIR) with app.synth() (no `cdktf synth`
 * needed) and prints what it created.
 * Run: npx ts-node --project test/tsconfig.json examples/emdr-cdktf/main.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { emdrApp } from './emdr';
import { readTerraformOutput, terraformStackFile } from '../../lib/targets/terraform';

const outdir = process.env.CDKTF_OUTDIR ?? path.join(__dirname, 'cdktf.out');
const { app, stack } = emdrApp(outdir);
app.synth();
const stackName = stack.node.id;
const file = terraformStackFile(outdir, stackName);
const model = readTerraformOutput(outdir, stackName);

console.log(`Synthesized ${stackName} into ${path.relative(process.cwd(), file)}`);
console.log(`\n${model.healthChecks.length} health checks (aws_route53_health_check):`);
for (const hc of model.healthChecks) {
  const c = hc.config;
  const where = `${c.ipAddress ?? c.fullyQualifiedDomainName}:${c.port}${c.resourcePath ?? ''}`;
  console.log(`  ${hc.name ?? hc.id}: ${c.type} ${where}, every ${c.requestInterval} s, failure threshold ${c.failureThreshold}`);
}
console.log(`\n${model.recordSets.length} records (aws_route53_record):`);
for (const r of model.recordSets) {
  const policy = r.weight !== undefined ? `weight ${r.weight}` : r.failover ?? (r.multiValueAnswer ? 'multivalue' : 'simple');
  console.log(`  ${r.name} ${r.recordType} ${r.values.join(',')} [${r.setIdentifier}] ${policy}, TTL ${r.ttl} s, guarded by ${r.healthCheckId ?? 'nothing'}`);
}
const interval = model.healthChecks[0]?.config.requestInterval ?? 30;
const threshold = model.healthChecks[0]?.config.failureThreshold ?? 3;
const ttl = model.recordSets[0]?.ttl ?? 60;
console.log(`\nA gateway that stops answering leaves the set after about ${interval * threshold} s ` +
  `(${threshold} x ${interval} s), and clients follow within ${ttl} s more (TTL).`);
const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
const warnings: Array<{ constructPath: string; message: string }> = (manifest.stacks[stackName].annotations ?? [])
  .filter((a: { level: string }) => a.level === '@cdktf/warn');
if (warnings.length) {
  console.log('\nWarnings:');
  for (const w of warnings) console.log(`  ${w.constructPath}: ${w.message}`);
}
console.log(`\nNext: cd ${path.relative(process.cwd(), path.dirname(file)) || '.'} && terraform init && terraform plan`);
