#!/usr/bin/env node
// The newcomers' apps in Python, Java and Go (examples/emdr-python, emdr-java, emdr-go), each installing
// the package built from this checkout by `npx projen package:<language>` (dist/python/*.whl, the Maven
// repository dist/java, the Go module dist/go/cdkdnsfailover) next to aws-cdk-lib and constructs from
// their registries. Each app declares the EMDR gateway as the README shows it, synthesizes it, and its
// tests check the template and run a FailoverSimulation. For .NET: the generated sources are checked
// (see scripts/dotnet-sources-check.py), or the .nupkg is there when a .NET SDK built it.
//
// Usage: node scripts/language-apps.js [python] [java] [go] [dotnet]   (default: all four)
// Writes test-reports/languages.json ({ language: { passed, failed, seconds } }) for the CI summary.
// Caches: Maven's local repository is .cache/maven (shared with package:java); pip and Go use theirs
// (PIP_CACHE_DIR, GOMODCACHE, GOCACHE: .ci/run points them into .cache/).
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const cache = path.join(root, '.cache');
const env = { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20', JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1' };

/** Runs a command, echoing its output; returns the output, or throws with the command and its exit code. */
function run(cmd, args, opts = {}) {
  console.log(`$ ${[cmd, ...args].join(' ')}${opts.cwd ? `   (in ${path.relative(root, opts.cwd) || '.'})` : ''}`);
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0 && !opts.allowFailure) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function need(file, task) {
  if (!fs.existsSync(file)) throw new Error(`${path.relative(root, file)} is missing: run \`npx projen ${task}\` first`);
  return file;
}

/** Counts of a JUnit XML report (pytest and Maven Surefire write them). */
function junitCounts(files) {
  let tests = 0;
  let failed = 0;
  for (const f of files) {
    const xml = fs.readFileSync(f, 'utf8');
    const m = /<testsuite\b[^>]*>/.exec(xml);
    if (!m) throw new Error(`no <testsuite> in ${f}`);
    const attr = (name) => Number((new RegExp(`\\b${name}="(\\d+)"`).exec(m[0]) ?? [0, 0])[1]);
    if (attr('skipped') > 0) throw new Error(`${f}: ${attr('skipped')} skipped test(s); no test may be skipped`);
    tests += attr('tests');
    failed += attr('failures') + attr('errors');
  }
  return { passed: tests - failed, failed };
}

const apps = {
  python() {
    const wheel = fs.readdirSync(need(path.join(dist, 'python'), 'package:python')).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error('no wheel in dist/python: run `npx projen package:python` first');
    const app = path.join(root, 'examples', 'emdr-python');
    // A fresh virtual environment every time: only the wheel and the app's requirements are in it.
    const venv = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-dns-failover-python-'));
    try {
      run('python3', ['-m', 'venv', venv]);
      const python = path.join(venv, 'bin', 'python');
      run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
        '-r', path.join(app, 'requirements.txt'), path.join(dist, 'python', wheel)]);
      const report = path.join(root, 'test-reports', 'python.xml');
      const r = run(python, ['-m', 'pytest', '-p', 'no:cacheprovider', '-v', `--junitxml=${report}`, 'tests'], { cwd: app, allowFailure: true });
      const counts = junitCounts([report]);
      if (r.status !== 0 && counts.failed === 0) throw new Error(`pytest exited with ${r.status}`);
      return counts;
    } finally {
      fs.rmSync(venv, { recursive: true, force: true });
    }
  },

  java() {
    need(path.join(dist, 'java', 'io', 'github', 'cdk-dns-failover', 'cdk-dns-failover'), 'package:java');
    const app = path.join(root, 'examples', 'emdr-java');
    const repo = path.join(cache, 'maven');
    // Maven keeps a release version it fetched once: drop the library's copy so that dist/java is read again.
    fs.rmSync(path.join(repo, 'io', 'github', 'cdk-dns-failover'), { recursive: true, force: true });
    const reports = path.join(app, 'target', 'surefire-reports');
    fs.rmSync(reports, { recursive: true, force: true });
    const r = run('mvn', ['-B', '--no-transfer-progress', `-Dmaven.repo.local=${repo}`,
      `-Dcdk-dns-failover.repository=file://${path.join(dist, 'java')}`, 'test'], { cwd: app, allowFailure: true });
    const files = fs.existsSync(reports) ? fs.readdirSync(reports).filter((f) => /^TEST-.*\.xml$/.test(f)).map((f) => path.join(reports, f)) : [];
    if (files.length === 0) throw new Error(`mvn exited with ${r.status} and wrote no test report`);
    const counts = junitCounts(files);
    if (r.status !== 0 && counts.failed === 0) throw new Error(`mvn exited with ${r.status}`);
    return counts;
  },

  go() {
    need(path.join(dist, 'go', 'cdkdnsfailover', 'go.mod'), 'package:go');
    const app = path.join(root, 'examples', 'emdr-go');
    run('go', ['vet', './...'], { cwd: app });
    const r = run('go', ['test', '-count=1', '-v', './...'], { cwd: app, allowFailure: true });
    // Top-level tests and subtests, as `go test -v` reports them.
    const passed = (r.output.match(/^\s*--- PASS: /gm) ?? []).length;
    const failed = (r.output.match(/^\s*--- FAIL: /gm) ?? []).length;
    if (/^\s*--- SKIP: /m.test(r.output)) throw new Error('a Go test was skipped; no test may be skipped');
    if (r.status !== 0 && failed === 0) throw new Error(`go test exited with ${r.status}`);
    return { passed, failed };
  },

  dotnet() {
    const nupkgDir = path.join(dist, 'dotnet');
    const nupkg = fs.existsSync(nupkgDir) ? fs.readdirSync(nupkgDir).filter((f) => f.endsWith('.nupkg')) : [];
    if (nupkg.length > 0) {
      console.log(`.NET: ${nupkg.join(', ')} built by a .NET SDK`);
      return { passed: 1, failed: 0 };
    }
    const sources = need(path.join(nupkgDir, 'CdkDnsFailover'), 'package:dotnet');
    console.log('.NET: no .nupkg (no .NET SDK on this machine); checking the generated C# sources instead');
    const venv = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-dns-failover-dotnet-check-'));
    try {
      run('python3', ['-m', 'venv', venv]);
      const python = path.join(venv, 'bin', 'python');
      run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', 'tree-sitter==0.25.2', 'tree-sitter-c-sharp==0.23.1']);
      const r = run(python, [path.join(__dirname, 'dotnet-sources-check.py'), path.join(root, '.jsii'), sources], { allowFailure: true });
      return r.status === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
    } finally {
      fs.rmSync(venv, { recursive: true, force: true });
    }
  },
};

const chosen = process.argv.slice(2);
for (const c of chosen) {
  if (!(c in apps)) {
    console.error(`unknown language '${c}'; use any of ${Object.keys(apps).join(', ')}`);
    process.exit(2);
  }
}
fs.mkdirSync(path.join(root, 'test-reports'), { recursive: true });
const summary = {};
let failedLanguages = 0;
for (const language of chosen.length ? chosen : Object.keys(apps)) {
  console.log(`\n=== ${language} ===`);
  const start = Date.now();
  try {
    summary[language] = apps[language]();
  } catch (e) {
    console.error(`${language}: ${e.message}`);
    summary[language] = { passed: 0, failed: 1, error: e.message };
  }
  summary[language].seconds = Math.round((Date.now() - start) / 100) / 10;
  if (summary[language].failed > 0) failedLanguages++;
}
fs.writeFileSync(path.join(root, 'test-reports', 'languages.json'), JSON.stringify(summary, null, 2));
console.log('\nlanguage apps:');
for (const [language, s] of Object.entries(summary)) {
  console.log(`  ${language.padEnd(7)} ${s.passed} passed, ${s.failed} failed  (${s.seconds} s)${s.error ? `  ${s.error}` : ''}`);
}
process.exit(failedLanguages > 0 ? 1 : 0);
