/**
 * The verifier as a library (jsii): simulate a synthesized stack or bundle in a unit test, mark members
 * down, and assert the answers, the lint findings, the failover times and the cost.
 */
import { Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import {
  addressClient,
  ClientSpec,
  continentClient,
  countryClient,
  ELSEWHERE,
  engineClient,
  regionClient,
  regionOrderClient,
  treeRegions,
} from './clients';
import { costEstimate } from './cost';
import { Gateway, gatewayKey, gatewaysOf, memberDownKeys } from './gateways';
import { lintArtifact } from './lint';
import { ArtifactSource, bundleSource, cloudFormationSource, readArtifacts, terraformSource } from './source';
import { gatewayTiming, TimeRange, timingContextOf } from './timing';
import { scenario, verdicts } from './whatif';
import { normalizeName } from '../model';
import { SelfHostedStack } from '../targets/self-hosted/stack';
import { isTerraformStack, libraryOfStack } from '../targets/terraform/library';

/** How serious a verifier finding is. */
export enum FindingSeverity {
  /** The configuration is refused, or will not fail over as intended (`dns-failover verify` exits 1). */
  ERROR = 'error',
  /** It works, but not as well as it could. */
  WARNING = 'warning',
}

/** One lint finding of the verifier. */
export interface VerifyFinding {
  /** Error or warning. */
  readonly severity: FindingSeverity;
  /** Stable rule id, for example `group/ttl-above-60` (a model rule) or `verify/failure-threshold-one` (a verifier rule). */
  readonly rule: string;
  /** The resource: `health check 'ID'`, `record NAME TYPE [SET]`, `record set group NAME TYPE`, `stack NAME`. */
  readonly resource: string;
  /** The problem and the fix, as one sentence. */
  readonly message: string;
  /** The problem alone, naming the bad value. */
  readonly problem: string;
  /** The fix alone. */
  readonly fix: string;
  /** The gateways it concerns (`NAME TYPE`); empty for the artifact as a whole. */
  readonly gateways: string[];
}

/** A gateway of the simulated artifact: the records of one name and type. */
export interface SimulatedGateway {
  /** Fully qualified record name, lower case, without the trailing dot. */
  readonly recordName: string;
  /** A, AAAA, CNAME, ... */
  readonly recordType: string;
  /** `weighted`, `failover`, `multivalue`, `geolocation`, `latency`, `ip-based` or `simple`. */
  readonly routingPolicy: string;
  /** Whether another gateway of the artifact aliases this one (it is a branch of a routing tree, not its root). */
  readonly insideTree: boolean;
  /** The members' names (their set identifiers), in artifact order. */
  readonly endpointNames: string[];
  /**
   * The records' TTL in seconds.
   * @default - the records have no TTL
   */
  readonly ttlSeconds?: number;
}

/** One possible answer of a gateway and its probability. */
export interface AnswerProbability {
  /** The answering members (set identifiers). */
  readonly setIdentifiers: string[];
  /** The values answered (none for an alias to an AWS resource: its addresses are AWS's). */
  readonly values: string[];
  /** From 0 to 1; the probabilities of a gateway's answers add up to 1. */
  readonly probability: number;
  /**
   * In a routing tree: the members chosen on the way down (set identifiers), from the gateway asked to
   * the answering records.
   * @default - not a routing tree
   */
  readonly path?: string[];
}

/** A time window in seconds: about how long, and at worst. */
export interface TimeWindow {
  /** About how long it takes (ROUTE53.md §4). */
  readonly typicalSeconds: number;
  /** The longest it can take: one more probe cycle of skew between checkers. */
  readonly worstSeconds: number;
}

/** How fast one member leaves and rejoins the answers (ROUTE53.md §4). */
export interface EndpointTiming {
  /** The gateway's record name. */
  readonly recordName: string;
  /** The gateway's record type. */
  readonly recordType: string;
  /** The member (set identifier). */
  readonly endpointName: string;
  /**
   * The guarding health check's id.
   * @default - the member has no health check
   */
  readonly healthCheckId?: string;
  /**
   * Time until the checkers declare a refusing endpoint unhealthy.
   * @default - not timed (no health check, or a check the verifier cannot time)
   */
  readonly detectRefusing?: TimeWindow;
  /**
   * Time until the checkers declare a hanging endpoint unhealthy (each probe runs into its timeouts).
   * @default - not timed
   */
  readonly detectHanging?: TimeWindow;
  /**
   * Time until a recovered endpoint is healthy again.
   * @default - not timed
   */
  readonly recovery?: TimeWindow;
  /**
   * Time until clients stop using a refusing endpoint: detection plus the TTL.
   * @default - not timed
   */
  readonly clientsMoveRefusing?: TimeWindow;
  /**
   * Time until clients stop using a hanging endpoint: detection plus the TTL.
   * @default - not timed
   */
  readonly clientsMoveHanging?: TimeWindow;
  /**
   * Time until clients use a recovered endpoint again: recovery plus the TTL.
   * @default - not timed
   */
  readonly clientsReturn?: TimeWindow;
  /**
   * Why a time is missing, or what it follows.
   * @default - none
   */
  readonly note?: string;
}

/** The monthly Route 53 cost of an artifact's health checks and hosted zones. */
export interface CostSummary {
  /** All health checks, per month. */
  readonly healthChecksMonthly: number;
  /** The hosted zones the records live in, per month. */
  readonly hostedZonesMonthly: number;
  /** Health checks and hosted zones, per month (DNS queries are not included). */
  readonly totalMonthly: number;
  /** `USD`. */
  readonly currency: string;
  /** The date of the price table (ISO 8601). */
  readonly pricesAsOf: string;
}

/**
 * Who asks, for gateways whose answers depend on the client (geolocation, latency and IP-based routing,
 * anywhere in their tree). A client the simulation is not told about is `SimulatedClient.unknown()`:
 * geolocation and IP-based routing answer their default, latency routing takes the regions in record
 * order.
 */
export class SimulatedClient {
  /** A client in a country (ISO 3166-1 alpha-2, as Route 53 lists them), optionally in a subdivision (`US` `CA`). Latency: regions by distance from the country. */
  public static inCountry(countryCode: string, subdivisionCode?: string): SimulatedClient {
    return new SimulatedClient(countryClient(countryCode, subdivisionCode));
  }

  /** A client known only by its continent (Route 53's codes: AF, AN, AS, EU, NA, OC, SA). */
  public static inContinent(continentCode: string): SimulatedClient {
    return new SimulatedClient(continentClient(continentCode));
  }

  /**
   * A client by its address or subnet, as the resolver's EDNS client subnet or source address gives it
   * (`203.0.113.7`, `2001:db8::/48`): what IP-based routing matches (at most /24 and /48 count).
   */
  public static fromAddress(addressOrSubnet: string): SimulatedClient {
    return new SimulatedClient(addressClient(addressOrSubnet));
  }

  /** A client near an AWS region (in its country): latency routing prefers the nearest regions. */
  public static nearRegion(region: string): SimulatedClient {
    return new SimulatedClient(regionClient(region));
  }

  /** A client whose latency to the regions is in this order, lowest first (regions not named come after). */
  public static withRegionOrder(regions: string[]): SimulatedClient {
    return new SimulatedClient(regionOrderClient(regions));
  }

  /** A client nothing is known about. */
  public static unknown(): SimulatedClient {
    return new SimulatedClient(ELSEWHERE);
  }

  /** How reports name the client: `DE`, `US-CA`, `continent EU`, `203.0.113.0/24`, `near eu-west-1`, `elsewhere`. */
  public readonly label: string;
  /** @internal */
  public readonly _spec: ClientSpec;

  private constructor(spec: ClientSpec) {
    this._spec = spec;
    this.label = spec.label;
  }
}

/** JSON text given to a `from...String` factory, parsed, or an error naming the factory and what it takes. */
function parseJsonArgument(json: string, factory: string, what: string): unknown {
  if (typeof json !== 'string') {
    const given = json === null ? 'null' : typeof json === 'object' ? 'an object' : `a ${typeof json}`;
    throw new Error(`FailoverSimulation.${factory} takes JSON text, not ${given}; give the text of ${what}`);
  }
  try {
    return JSON.parse(json);
  } catch (e) {
    const start = json.trim().slice(0, 40);
    throw new Error(`FailoverSimulation.${factory}: the text is not JSON (${(e as Error).message}; it starts with ${JSON.stringify(start)}); give the text of ${what}`);
  }
}

const windowOf = (r: TimeRange | undefined): TimeWindow | undefined => (r ? { typicalSeconds: r.typical, worstSeconds: r.worst } : undefined);

/**
 * A synthesized artifact under simulation: the answers Route 53 (or the self-hosted DNS server) would
 * give, computed by the same engine the DNS server runs, with members marked down at will.
 *
 * Marking a member down makes its health check report the endpoint as failed: a member without a
 * health check keeps being answered (as in Route 53), members that share a health check go down
 * together, and an inverted check turns healthy.
 */
export class FailoverSimulation {
  /**
   * Synthesizes an aws-cdk-lib stack and simulates its template.
   * @param stack an aws-cdk-lib `Stack` inside an `App` or `Stage`
   */
  public static fromCdkStack(stack: Stack): FailoverSimulation {
    const stage = Stage.of(stack);
    if (!stage) throw new Error(`stack '${stack.node.path}' is not in an App or Stage, so it cannot be synthesized`);
    const template = stage.synth({ force: true }).getStackArtifact(stack.artifactId).template;
    return new FailoverSimulation(cloudFormationSource(template, `${stack.artifactId}.template.json`, stack.stackName));
  }

  /**
   * Synthesizes a cdktf (or CDK Terrain) `TerraformStack` and simulates its Terraform JSON.
   * @param stack the `TerraformStack` itself
   */
  public static fromTerraformStack(stack: IConstruct): FailoverSimulation {
    if (!isTerraformStack(stack)) {
      throw new Error(`'${(stack as IConstruct).node.path}' is not a cdktf TerraformStack; give the stack itself (for an aws-cdk-lib Stack use fromCdkStack)`);
    }
    const json = JSON.parse(libraryOfStack(stack).lib.Testing.synth(stack as any));
    return new FailoverSimulation(terraformSource(json, 'cdk.tf.json', stack.node.id));
  }

  /**
   * Synthesizes a `SelfHostedStack` (in memory) and simulates its bundle config.
   * @param stack the self-hosted stack
   */
  public static fromSelfHostedStack(stack: SelfHostedStack): FailoverSimulation {
    const synthesis = stack._synthesize();
    if (!synthesis.config) {
      throw new Error(`cannot synthesize the self-hosted stack '${stack.node.path}':\n${[...synthesis.problems].join('\n')}`);
    }
    return new FailoverSimulation(bundleSource(JSON.parse(JSON.stringify(synthesis.config)), 'config.json'));
  }

  /**
   * Synthesizes whichever stack `scope` is (an aws-cdk-lib `Stack`, a cdktf `TerraformStack` or a
   * `SelfHostedStack`) and simulates it.
   * @param scope the stack
   */
  public static fromStack(scope: IConstruct): FailoverSimulation {
    if (Stack.isStack(scope)) return FailoverSimulation.fromCdkStack(scope);
    if (isTerraformStack(scope)) return FailoverSimulation.fromTerraformStack(scope);
    if (SelfHostedStack.isSelfHostedStack(scope)) return FailoverSimulation.fromSelfHostedStack(scope);
    throw new Error(`'${(scope as IConstruct).node.path}' is not a stack; give an aws-cdk-lib Stack, a cdktf TerraformStack or a SelfHostedStack`);
  }

  /**
   * Simulates a CloudFormation template given as parsed JSON, for example
   * `Template.fromStack(stack).toJSON()`. From Python, Java, Go or .NET, `fromTemplateString` takes
   * the template's text.
   * @param template the template object
   */
  public static fromTemplate(template: any): FailoverSimulation {
    return new FailoverSimulation(cloudFormationSource(template, 'template.json', 'template'));
  }

  /**
   * Simulates a CloudFormation template given as JSON text, for example the content of
   * `cdk.out/MyStack.template.json`.
   * @param json the template's JSON text
   */
  public static fromTemplateString(json: string): FailoverSimulation {
    return FailoverSimulation.fromTemplate(parseJsonArgument(json, 'fromTemplateString', 'a CloudFormation template, such as cdk.out/MyStack.template.json'));
  }

  /**
   * Simulates a Terraform JSON configuration given as parsed JSON (a parsed `cdk.tf.json`). From
   * Python, Java, Go or .NET, `fromTerraformJsonString` takes the file's text.
   * @param config the configuration object
   */
  public static fromTerraformJson(config: any): FailoverSimulation {
    return new FailoverSimulation(terraformSource(config, 'cdk.tf.json', 'terraform'));
  }

  /**
   * Simulates a Terraform JSON configuration given as JSON text, for example the content of
   * `cdktf.out/stacks/NAME/cdk.tf.json`.
   * @param json the configuration's JSON text
   */
  public static fromTerraformJsonString(json: string): FailoverSimulation {
    return FailoverSimulation.fromTerraformJson(parseJsonArgument(json, 'fromTerraformJsonString', 'a Terraform JSON configuration, such as cdktf.out/stacks/NAME/cdk.tf.json'));
  }

  /**
   * Simulates a self-hosted bundle: its directory, or its bundle config file.
   * @param location the bundle directory, or its `config.json`
   */
  public static fromBundle(location: string): FailoverSimulation {
    const sources = readArtifacts(location);
    if (sources.length !== 1 || sources[0].target !== 'self-hosted') {
      throw new Error(`'${location}' is not a self-hosted bundle; give the bundle directory or its config.json (for other artifacts use fromPath)`);
    }
    return new FailoverSimulation(sources[0]);
  }

  /**
   * Simulates a bundle config given as parsed JSON. From Python, Java, Go or .NET,
   * `fromBundleConfigString` takes the config's text.
   * @param config the bundle config object
   */
  public static fromBundleConfig(config: any): FailoverSimulation {
    return new FailoverSimulation(bundleSource(config, 'config.json'));
  }

  /**
   * Simulates a bundle config given as JSON text (the content of a bundle's `config.json`).
   * @param json the bundle config's JSON text
   */
  public static fromBundleConfigString(json: string): FailoverSimulation {
    return FailoverSimulation.fromBundleConfig(parseJsonArgument(json, 'fromBundleConfigString', "a bundle config, such as a bundle's config.json"));
  }

  /**
   * Simulates whatever `dns-failover verify` reads at `location`: a cdk.out or cdktf.out directory with
   * one stack, a template, a cdk.tf.json, or a bundle.
   * @param location a directory or file path
   */
  public static fromPath(location: string): FailoverSimulation {
    const sources = readArtifacts(location);
    if (sources.length !== 1) {
      throw new Error(`'${location}' holds ${sources.length} stacks (${sources.map((s) => s.name).join(', ')}); give one stack's template or cdk.tf.json`);
    }
    return new FailoverSimulation(sources[0]);
  }

  /** The target that wrote the artifact: `cloudformation`, `terraform` or `self-hosted`. */
  public readonly target: string;

  private readonly source: ArtifactSource;
  private readonly gatewayList: Gateway[];
  private readonly down = new Set<string>();

  private constructor(source: ArtifactSource) {
    this.source = source;
    this.target = source.target;
    this.gatewayList = gatewaysOf(source.model);
  }

  /** The gateways of the artifact, in artifact order. */
  public get gateways(): SimulatedGateway[] {
    return this.gatewayList.map((g) => ({
      recordName: g.name,
      recordType: g.recordType,
      routingPolicy: g.policy,
      insideTree: !g.root,
      endpointNames: g.members.map((m) => m.setIdentifier),
      ...(g.ttl !== undefined ? { ttlSeconds: g.ttl } : {}),
    }));
  }

  /**
   * Marks a member's endpoint as failed: its health check reports unhealthy (with the check's
   * inversion applied). No effect on a member without a health check: Route 53 keeps answering it.
   * A member that is another gateway (an alias with EvaluateTargetHealth and no check of its own) fails
   * as a whole branch: every health check below it; an AWS resource behind an alias reports unhealthy.
   * @param recordName the gateway's record name, for example `emdr.example.com`
   * @param recordType the gateway's record type, for example `A`
   * @param endpointName the member's name (its set identifier)
   */
  public markDown(recordName: string, recordType: string, endpointName: string): void {
    for (const id of this.downKeysOf(recordName, recordType, endpointName)) this.down.add(id);
  }

  /**
   * Marks a member's endpoint (or, for a member that is a gateway, its branch) as working again.
   * @param recordName the gateway's record name
   * @param recordType the gateway's record type
   * @param endpointName the member's name (its set identifier)
   */
  public markUp(recordName: string, recordType: string, endpointName: string): void {
    for (const id of this.downKeysOf(recordName, recordType, endpointName)) this.down.delete(id);
  }

  /**
   * Marks every member of a gateway down (Route 53 then answers as if all were healthy: the last resort).
   * @param recordName the gateway's record name
   * @param recordType the gateway's record type
   */
  public markAllDown(recordName: string, recordType: string): void {
    for (const m of this.gateway(recordName, recordType).members) {
      for (const id of this.memberKeys(m)) this.down.add(id);
    }
  }

  /** Marks every member of every gateway up again. */
  public reset(): void {
    this.down.clear();
  }

  /**
   * Every possible answer of a gateway with its exact probability, given the members marked down: for a
   * routing tree, the final answers (the endpoints at the end of the aliases), for this client.
   * @param recordName the gateway's record name
   * @param recordType the gateway's record type
   * @param client who asks, for a gateway whose answers depend on it (default: a client nothing is known about)
   */
  public answerDistribution(recordName: string, recordType: string, client?: SimulatedClient): AnswerProbability[] {
    const s = this.currentScenario(recordName, recordType, client);
    if (!s.answers) {
      throw new Error(`${gatewayKey(recordName, recordType)} has too many possible answers to list; use shareOf() for each endpoint`);
    }
    return s.answers.map((a) => ({
      setIdentifiers: [...a.setIdentifiers],
      values: [...a.values],
      probability: a.probability,
      ...(a.path ? { path: [...a.path] } : {}),
    }));
  }

  /**
   * The probability that a member is part of the answer (for a member that is an alias: that the answer
   * comes through it), given the members marked down, for this client.
   * @param recordName the gateway's record name
   * @param recordType the gateway's record type
   * @param endpointName the member's name (its set identifier)
   * @param client who asks, for a gateway whose answers depend on it (default: a client nothing is known about)
   */
  public shareOf(recordName: string, recordType: string, endpointName: string, client?: SimulatedClient): number {
    const g = this.gateway(recordName, recordType);
    this.member(g, endpointName);
    const s = this.currentScenario(recordName, recordType, client);
    return s.shares.find((x) => x.setIdentifier === endpointName)!.probability;
  }

  /** The verifier's lint: the model rules with the target's capabilities, and the verifier's own rules. */
  public lint(): VerifyFinding[] {
    return lintArtifact(this.source, this.gatewayList).map((f) => ({
      severity: f.severity === 'error' ? FindingSeverity.ERROR : FindingSeverity.WARNING,
      rule: f.rule,
      resource: f.resource,
      message: f.message,
      problem: f.problem,
      fix: f.fix,
      gateways: [...f.gateways],
    }));
  }

  /** How fast each member leaves and rejoins the answers, per gateway (ROUTE53.md §4). */
  public timing(): EndpointTiming[] {
    const checks = new Map(this.source.model.healthChecks.map((h) => [h.id, h]));
    const out: EndpointTiming[] = [];
    for (const g of this.gatewayList) {
      const t = gatewayTiming(g, checks, timingContextOf(this.source), this.gatewayList);
      for (const m of t.members) {
        const timing: { -readonly [K in keyof EndpointTiming]: EndpointTiming[K] } = {
          recordName: g.name,
          recordType: g.recordType,
          endpointName: m.setIdentifier,
        };
        if (m.healthCheckId !== undefined) timing.healthCheckId = m.healthCheckId;
        if (m.detectRefusing) timing.detectRefusing = windowOf(m.detectRefusing);
        if (m.detectHanging) timing.detectHanging = windowOf(m.detectHanging);
        if (m.recover) timing.recovery = windowOf(m.recover);
        if (m.clientsMoveRefusing) timing.clientsMoveRefusing = windowOf(m.clientsMoveRefusing);
        if (m.clientsMoveHanging) timing.clientsMoveHanging = windowOf(m.clientsMoveHanging);
        if (m.clientsReturn) timing.clientsReturn = windowOf(m.clientsReturn);
        if (m.note !== undefined) timing.note = m.note;
        out.push(timing);
      }
    }
    return out;
  }

  /** The monthly Route 53 cost; undefined for a self-hosted bundle. */
  public cost(): CostSummary | undefined {
    if (!this.source.route53) return undefined;
    const c = costEstimate(this.source.model);
    return {
      healthChecksMonthly: c.healthChecksMonthly,
      hostedZonesMonthly: c.hostedZonesMonthly,
      totalMonthly: c.totalMonthly,
      currency: c.currency,
      pricesAsOf: c.asOf,
    };
  }

  private currentScenario(recordName: string, recordType: string, client: SimulatedClient = SimulatedClient.unknown()) {
    const g = this.gateway(recordName, recordType);
    const engine = engineClient(client._spec, treeRegions(g, this.gatewayList));
    return scenario(this.source.model, g, verdicts(this.source.model, this.down), 'simulated', [], [...this.down], undefined, engine);
  }

  private gateway(recordName: string, recordType: string): Gateway {
    const key = gatewayKey(normalizeName(recordName), recordType);
    const g = this.gatewayList.find((x) => x.key === key || x.key.startsWith(`${key} (`));
    if (!g) {
      const known = this.gatewayList.map((x) => x.key).join(', ') || 'none';
      throw new Error(`no gateway ${key} in this ${this.target} artifact; its gateways are ${known}`);
    }
    return g;
  }

  private member(g: Gateway, endpointName: string) {
    const m = g.members.find((x) => x.setIdentifier === endpointName);
    if (!m) throw new Error(`gateway ${g.key} has no endpoint '${endpointName}'; its endpoints are ${g.members.map((x) => x.setIdentifier).join(', ')}`);
    return m;
  }

  /** The member's own check when it has one; else, for an alias, the checks below it or its AWS target. */
  private memberKeys(m: Gateway['members'][number]): string[] {
    if (m.record.healthCheckId !== undefined) return [m.record.healthCheckId];
    return memberDownKeys(m, this.gatewayList);
  }

  private downKeysOf(recordName: string, recordType: string, endpointName: string): string[] {
    return this.memberKeys(this.member(this.gateway(recordName, recordType), endpointName));
  }
}
