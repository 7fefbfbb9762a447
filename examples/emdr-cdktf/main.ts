/**
 * Synthesizes the EMDR example into ./cdktf.out (or $CDKTF_OUTDIR) with app.synth() (no `cdktf synth`
 * needed) and prints what it created.
 * Run: npx ts-node --project test/tsconfig.json examples/emdr-cdktf/main.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { emdrApp } from './emdr';
import { readTerraformOutput, terraformStackFile } from '../../lib/targets/terraform';
import { printSummary } from '../summary';

const outdir = process.env.CDKTF_OUTDIR ?? path.join(__dirname, 'cdktf.out');
const { app, stack } = emdrApp(outdir);
app.synth();
const stackName = stack.node.id;
const file = terraformStackFile(outdir, stackName);
const model = readTerraformOutput(outdir, stackName);

console.log(`Synthesized ${stackName} into ${path.relative(process.cwd(), file)}`);
const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
const warnings = (manifest.stacks[stackName].annotations ?? [])
  .filter((a: { level: string }) => a.level === '@cdktf/warn')
  .map((a: { constructPath: string; message: string }) => `${a.constructPath}: ${a.message}`);
printSummary(model, { healthCheck: 'aws_route53_health_check', record: 'aws_route53_record' }, warnings);
console.log(`\nNext: cd ${path.relative(process.cwd(), path.dirname(file)) || '.'} && terraform init && terraform plan`);
