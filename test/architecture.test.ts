/**
 * The layers of DESIGN.md, checked on the real sources:
 * - dependency-cruiser (the rules in .dependency-cruiser.cjs): no import cycle in lib/, each layer
 *   imports only the layers below it, and nothing the package entry reaches is runtime code;
 * - a fresh Node process that requires the package entry loads no module of lib/dns, lib/checker,
 *   lib/up, lib/cli or lib/protocol, no drill or live probe, and neither undici nor ajv: a synth, in
 *   any language jsii serves, pays only for synthesis and FailoverSimulation.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

function depcruise(cwd: string, target: string) {
  return spawnSync(process.execPath, [DEPCRUISE, target, '--config', CONFIG, '--output-type', 'err'], { cwd, encoding: 'utf8' });
}

/** The modules a fresh Node process loads when it requires `entry` (TypeScript sources through ts-node). */
function modulesLoadedBy(entry: string): { lib: string[]; packages: string[] } {
  const script = `
    require(${JSON.stringify(entry)});
    const root = ${JSON.stringify(ROOT + path.sep)};
    const keys = Object.keys(require.cache);
    const lib = keys.filter((k) => k.startsWith(root + 'lib' + require('path').sep)).map((k) => k.slice(root.length));
    const packages = [...new Set(keys.map((k) => /node_modules[\\\\/]((@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(k)).filter(Boolean).map((m) => m[1]))];
    process.stdout.write(JSON.stringify({ lib, packages }));
  `;
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PREFER_TS_EXTS: 'true', TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json') },
  });
  if (run.status !== 0) throw new Error(`node could not require ${entry}:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

const RUNTIME = /^lib\/(dns|checker|up|cli|protocol)\/|^lib\/verify\/(drill|live|report)\b/;

describe('import rules (dependency-cruiser)', () => {
  test('lib/ has no import cycle and every layer imports only what it may', () => {
    const run = depcruise(ROOT, 'lib');
    expect(run.stdout + run.stderr).toContain('no dependency violations found');
    expect(run.status).toBe(0);
  });

  test('fails an import cycle (the check can fail)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depcruise-'));
    try {
      fs.mkdirSync(path.join(dir, 'lib', 'model'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'lib', 'model', 'a.ts'), "import { b } from './b';\nexport const a = () => b();\n");
      fs.writeFileSync(path.join(dir, 'lib', 'model', 'b.ts'), "import { a } from './a';\nexport const b = () => a;\n");
      fs.copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
      const run = depcruise(dir, 'lib');
      expect(run.status).not.toBe(0);
      expect(run.stdout).toMatch(/no-circular: lib\/model\/a\.ts/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the package entry', () => {
  test('loads only what synthesis and FailoverSimulation need: no DNS node, checker, up, CLI, protocol, drill, live probe, undici or ajv', () => {
    const loaded = modulesLoadedBy('./lib/index.ts');
    expect(loaded.lib).toContain('lib/constructs/gateway.ts');
    expect(loaded.lib).toContain('lib/verify/simulation.ts');
    expect(loaded.lib.filter((m) => RUNTIME.test(m))).toEqual([]);
    expect(loaded.packages).not.toContain('undici');
    expect(loaded.packages).not.toContain('ajv');
  });

  test('the CLI does load the runtime (the check sees it when it is there)', () => {
    const loaded = modulesLoadedBy('./lib/cli/commands.ts');
    expect(loaded.lib).toEqual(expect.arrayContaining(['lib/dns/node.ts', 'lib/checker/checker.ts', 'lib/protocol/auth.ts', 'lib/verify/drill/run.ts']));
    expect(loaded.packages).toContain('undici');
  });
});
