#!/usr/bin/env node
// `npx projen package:dotnet`: the NuGet package (dist/dotnet/*.nupkg) when a .NET SDK is on this machine,
// as jsii-pacmak builds it. Without one (`dotnet` cannot be installed from the registries this project
// reaches, and its NuGet dependencies Amazon.JSII.Runtime and Amazon.CDK.Lib cannot be fetched), only the
// generated C# sources are written, into dist/dotnet/CdkDnsFailover/, and this says so:
// `node scripts/language-apps.js dotnet` then checks that they parse as C#.
const { execFileSync, spawnSync } = require('child_process');

const hasDotnet = spawnSync('dotnet', ['--version'], { stdio: 'ignore' }).status === 0;
const args = ['jsii-pacmak', '-v', '--target', 'dotnet'];
if (!hasDotnet) {
  console.log('package:dotnet: no .NET SDK (`dotnet`) on this machine, so no .nupkg: writing the generated C# sources '
    + 'only, into dist/dotnet/CdkDnsFailover/ (install a .NET 6 or later SDK and rerun to build the package).');
  args.push('--code-only');
}
execFileSync('npx', args, { stdio: 'inherit' });
