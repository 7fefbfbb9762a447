/**
 * Synthesizes the multi-region example into ./cdk.out (or $CDK_OUTDIR) and shows, with the verifier,
 * how it answers clients in Germany, the United States and Japan, healthy and with regions down.
 * Run: npx projen multi-region
 */
import * as path from 'path';
import { multiRegionApp } from './app';
import { formatReport, parseClientSpec, verifyReport } from '../../lib/verify';

const outdir = process.env.CDK_OUTDIR ?? path.join(__dirname, 'cdk.out');
const { app, stack } = multiRegionApp(outdir);
const artifact = app.synth().getStackByName(stack.stackName);
console.log(`Synthesized ${stack.stackName} into ${path.relative(process.cwd(), artifact.templateFullPath)}\n`);
const from = ['DE', 'US', 'JP'].map(parseClientSpec);
console.log(formatReport(verifyReport(artifact.templateFullPath, undefined, from)));
console.log(`Next: npx dns-failover verify ${path.relative(process.cwd(), outdir)} --from DE,US-CA,continent:OC,order:us-east-1>eu-west-1`);
