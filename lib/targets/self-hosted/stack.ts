/**
 * The self-hosted target's public API: `SelfHostedApp` and `SelfHostedStack`. Gateways and health
 * checks placed in a `SelfHostedStack` are rendered into a bundle: the bundle config the project's
 * own DNS nodes and checkers run from, Kubernetes manifests, systemd units and a README.
 */
import * as path from 'path';
import { Construct, IConstruct } from 'constructs';
import { registerTargetProvider } from '../target';
import { SelfHostedStackProps } from './props';
import { settingsOf, StackSettings } from './settings';
import { BundleSynthesis, synthesizeBundle, writeBundle } from './synth';
import { SelfHostedTarget } from './target';
import { capabilitiesOf } from '../../bundle';

const STACK_SYMBOL = Symbol.for('cdk-dns-failover.SelfHostedStack');

/**
 * A stack that renders gateways and health checks for the project's own DNS nodes and checkers,
 * the way an aws-cdk-lib `Stack` renders them for CloudFormation and a cdktf `TerraformStack` for
 * Terraform. `synth(directory)` (or `SelfHostedApp.synth()`) writes the bundle.
 *
 * The self-hosted target accepts request intervals down to 100 ms and custom probe timeouts, private
 * and loopback addresses (its checkers run inside your network), any region names, and disabled
 * health checks. It refuses CloudWatch alarm and routing control health checks.
 */
export class SelfHostedStack extends Construct {
  /**
   * Whether `x` is a `SelfHostedStack`.
   * @param x any value
   */
  public static isSelfHostedStack(x: any): x is SelfHostedStack {
    return x !== null && typeof x === 'object' && STACK_SYMBOL in x;
  }

  /**
   * The `SelfHostedStack` a construct is in. Fails when it is in none.
   * @param construct a construct of the stack
   */
  public static of(construct: IConstruct): SelfHostedStack {
    for (let node: IConstruct | undefined = construct; node; node = node.node.scope) {
      if (SelfHostedStack.isSelfHostedStack(node)) return node;
    }
    throw new Error(`'${construct.node.path || construct.node.id}' is not inside a SelfHostedStack; create one and place the construct in it`);
  }

  /** The directory name of this stack's bundle below a `SelfHostedApp`'s outdir: its construct path with `-` for `/`. */
  public readonly artifactId: string;
  /** @internal */
  public readonly _target: SelfHostedTarget;
  private readonly settings: StackSettings;
  /** While `synth` runs: the bundle its validation built, so that it is built once, not twice. */
  private synthesizing?: { bundle?: BundleSynthesis };

  /**
   * @param scope the `SelfHostedApp` (or any construct)
   * @param id the stack's id (it names the bundle directory)
   * @param props the zones, DNS nodes, checkers and verdict settings
   */
  constructor(scope: Construct, id: string, props: SelfHostedStackProps = {}) {
    super(scope, id);
    Object.defineProperty(this, STACK_SYMBOL, { value: true });
    this.artifactId = this.node.path.split('/').filter((p) => p !== '').join('-') || id;
    this.settings = settingsOf(props);
    this._target = new SelfHostedTarget(this, capabilitiesOf({ regions: this.settings.regions }));
    this.node.addValidation({
      validate: () => {
        const bundle = this._synthesize();
        if (this.synthesizing) this.synthesizing.bundle = bundle;
        return [...bundle.problems];
      },
    });
  }

  /**
   * Writes the bundle into `outdir` (created when missing; files of an earlier synth are replaced):
   * `config.json` (the bundle config, validated against its JSON Schema first), `kubernetes/`,
   * `systemd/`, `Dockerfile` and `README.md`. Fails, writing nothing, when the stack has errors.
   * @param outdir the bundle directory
   */
  public synth(outdir: string): void {
    this.synthesizing = {};
    try {
      const errors: string[] = [];
      for (const c of this.node.findAll()) errors.push(...c.node.validate().map((e) => `${c.node.path}: ${e}`));
      if (errors.length > 0) {
        throw new Error(`cannot synthesize the self-hosted stack '${this.node.path}':\n${[...new Set(errors)].join('\n')}`);
      }
      // The bundle the stack's own validation just built: validating changes nothing it is built from.
      writeBundle(path.resolve(outdir), this.synthesizing.bundle ?? this._synthesize());
    } finally {
      this.synthesizing = undefined;
    }
  }

  /** The bundle in memory: config, files and problems. @internal */
  public _synthesize(): BundleSynthesis {
    return synthesizeBundle(this.settings, this._target, this);
  }
}

/** Properties of a `SelfHostedApp`. */
export interface SelfHostedAppProps {
  /**
   * The directory `synth()` writes the bundles into, one subdirectory per stack.
   * @default - $DNS_FAILOVER_OUTDIR, or 'dns-failover.out' in the working directory
   */
  readonly outdir?: string;
}

/**
 * The root of a self-hosted app, like cdktf's `App`: stacks go inside, `synth()` writes one bundle
 * per `SelfHostedStack` into `<outdir>/<stack artifactId>`.
 */
export class SelfHostedApp extends Construct {
  /** Where `synth()` writes the bundles. */
  public readonly outdir: string;

  /**
   * @param props where `synth()` writes the bundles
   */
  constructor(props: SelfHostedAppProps = {}) {
    super(undefined as any, '');
    this.outdir = props.outdir ?? process.env.DNS_FAILOVER_OUTDIR ?? 'dns-failover.out';
  }

  /** Writes the bundle of every `SelfHostedStack` in the app. Fails, naming every problem, when a stack has errors. */
  public synth(): void {
    const stacks = this.node.findAll().filter((c): c is SelfHostedStack => SelfHostedStack.isSelfHostedStack(c));
    const ids = new Map<string, string>();
    for (const s of stacks) {
      const other = ids.get(s.artifactId);
      if (other !== undefined) throw new Error(`stacks '${other}' and '${s.node.path}' would both write ${s.artifactId}/; give them distinct ids`);
      ids.set(s.artifactId, s.node.path);
    }
    for (const s of stacks) s.synth(path.join(this.outdir, s.artifactId));
  }
}

registerTargetProvider({
  targetFor: (scope) => (SelfHostedStack.isSelfHostedStack(scope) ? scope._target : undefined),
});
