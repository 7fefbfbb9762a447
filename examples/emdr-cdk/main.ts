/**
 * Synthesizes the EMDR example into ./cdk.out (or $CDK_OUTDIR) and prints what it created.
 * Run: npx projen emdr
 */
import * as path from 'path';
import { emdrApp } from './emdr';
import { readCloudFormationTemplate } from '../../lib/targets/cloudformation';
import { printSummary } from '../summary';

const outdir = process.env.CDK_OUTDIR ?? path.join(__dirname, 'cdk.out');
const { app, stack } = emdrApp(outdir);
const assembly = app.synth();
const artifact = assembly.getStackByName(stack.stackName);
const model = readCloudFormationTemplate(artifact.template);

console.log(`Synthesized ${stack.stackName} into ${path.relative(process.cwd(), artifact.templateFullPath)}`);
const warnings = artifact.messages.filter((m) => m.level === 'warning').map((w) => `${w.id}: ${w.entry.data}`);
printSummary(model, { healthCheck: 'AWS::Route53::HealthCheck', record: 'AWS::Route53::RecordSet' }, warnings);
