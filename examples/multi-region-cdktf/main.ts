/**
 * Synthesizes the multi-region example into ./cdktf.out (or $CDKTF_OUTDIR) and shows, with the
 * verifier, how it answers clients in Germany, the United States and Japan.
 * Run: npx ts-node --project test/tsconfig.json examples/multi-region-cdktf/main.ts
 */
import * as path from 'path';
import { multiRegionApp } from './app';
import { terraformStackFile } from '../../lib/targets/terraform';
import { formatReport, parseClientSpec, verifyReport } from '../../lib/verify';

const outdir = process.env.CDKTF_OUTDIR ?? path.join(__dirname, 'cdktf.out');
const { app, stack } = multiRegionApp(outdir);
app.synth();
const file = terraformStackFile(outdir, stack.node.id);
console.log(`Synthesized ${stack.node.id} into ${path.relative(process.cwd(), file)}\n`);
const from = ['DE', 'US', 'JP'].map(parseClientSpec);
console.log(formatReport(verifyReport(file, undefined, from)));
console.log(`Next: cd ${path.relative(process.cwd(), path.dirname(file)) || '.'} && terraform init && terraform plan`);
