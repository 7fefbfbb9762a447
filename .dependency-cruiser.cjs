/**
 * The import rules of lib/ (DESIGN.md "Layout"), checked by test/architecture.test.ts with
 * dependency-cruiser: no import cycles, and each layer imports only the layers below it.
 */
const layer = (name, ...mayNotImport) => ({
  name: `${name}-layer`,
  severity: 'error',
  comment: `lib/${name} must not import ${mayNotImport.join(', ')}`,
  from: { path: `^lib/${name}/` },
  to: { path: `^lib/(${mayNotImport.join('|')})/` },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'an import cycle: split the shared part into a module both import',
      from: {},
      to: { circular: true },
    },
    // The Route 53 model is the hub: it imports nothing of the project.
    layer('model', 'constructs', 'targets', 'bundle', 'protocol', 'engine', 'dns', 'checker', 'verify', 'up', 'cli'),
    // The engine is pure: the model only.
    layer('engine', 'constructs', 'targets', 'bundle', 'protocol', 'dns', 'checker', 'verify', 'up', 'cli'),
    // The shared formats sit below the DNS node and the checker.
    layer('bundle', 'constructs', 'targets', 'protocol', 'dns', 'checker', 'verify', 'up', 'cli'),
    layer('protocol', 'constructs', 'targets', 'bundle', 'dns', 'checker', 'verify', 'up', 'cli'),
    // The DNS node and the checker do not know each other, nor the targets.
    layer('dns', 'constructs', 'targets', 'checker', 'verify', 'up', 'cli'),
    layer('checker', 'constructs', 'targets', 'dns', 'verify', 'up', 'cli'),
    // Constructs hand model objects to a target; they know no target's format (only the seam).
    {
      name: 'constructs-know-no-target-format',
      severity: 'error',
      comment: 'constructs reach targets only through lib/targets/target.ts',
      from: { path: '^lib/constructs/' },
      to: { path: '^lib/targets/(cloudformation|terraform|self-hosted)/' },
    },
    layer('targets', 'verify', 'dns', 'checker', 'up', 'cli'),
    // The public entry reaches no runtime: a synth never loads the DNS node, the checker, `up`, the CLI,
    // the drill or the live probe.
    {
      name: 'entry-loads-no-runtime',
      severity: 'error',
      comment: 'lib/index.ts must not reach runtime code (DESIGN.md: the entry loads no runtime)',
      from: { path: '^lib/index\\.ts$' },
      to: { path: '^lib/(dns|checker|up|cli|protocol)/|^lib/verify/(drill|live|report)', reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
