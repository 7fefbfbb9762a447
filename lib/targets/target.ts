/**
 * What a construct sees of a target: it hands over model objects and gets back references.
 * Constructs never learn a target's property names; each target renders (and reads) its own format.
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IAliasRecordTarget } from 'aws-cdk-lib/aws-route53';
import { Construct, IConstruct } from 'constructs';
import {
  CidrCollectionModel,
  errorsOf,
  FailoverModel,
  Finding,
  formatFindings,
  HealthCheckModel,
  RecordSetModel,
  TargetCapabilities,
  validateCollections,
  validateModel,
  validateTrees,
} from '../model';

export interface UnhealthyAlarmRequest {
  /** The health check's HealthCheckStatus metric. */
  readonly metric: cloudwatch.Metric;
  readonly alarmName?: string;
  readonly evaluationPeriods: number;
  readonly description: string;
}

/** An AWS alias target as its target binds it for a record: DNS name, hosted zone and its default EvaluateTargetHealth. */
export interface ResolvedAliasTarget {
  readonly dnsName: string;
  readonly hostedZoneId: string;
  readonly evaluateTargetHealth?: boolean;
}

export interface FailoverTarget {
  readonly capabilities: TargetCapabilities;
  /** The construct whose subtree this target renders (a stack). Model ids are paths below it. */
  readonly root: IConstruct;
  /** Renders a health check under `scope` and returns the target's reference to its Route 53 id. */
  renderHealthCheck(scope: Construct, model: HealthCheckModel): string;
  /** Renders a record set under `scope`. */
  renderRecordSet(scope: Construct, model: RecordSetModel): void;
  /** Surfaces warnings the way this target's users see them (annotations, console). */
  report(scope: IConstruct, findings: readonly Finding[]): void;
  /** Creates an alarm on a health check's status, where the target has alarms. */
  createUnhealthyAlarm?(scope: Construct, id: string, request: UnhealthyAlarmRequest): IConstruct;
  /** Renders a CIDR collection under `scope` and returns the target's reference to its Route 53 id. */
  renderCidrCollection(scope: Construct, model: CidrCollectionModel): string;
  /** An aws-cdk-lib alias target's DNS name and zone, where the target can bind one (aws-cdk-lib stacks). */
  resolveAliasTarget?(scope: Construct, target: IAliasRecordTarget, recordName: string): ResolvedAliasTarget;
}

export interface TargetProvider {
  /** The target rendering `scope`, when `scope` is the root this provider knows (a stack). */
  targetFor(scope: IConstruct): FailoverTarget | undefined;
}

const providers: TargetProvider[] = [];

/** Called once by each target module when it is loaded. */
export function registerTargetProvider(provider: TargetProvider): void {
  if (!providers.includes(provider)) providers.push(provider);
}

/** The target of the nearest enclosing stack (aws-cdk-lib, cdktf, or SelfHostedStack). */
export function findTarget(scope: IConstruct): FailoverTarget {
  for (let node: IConstruct | undefined = scope; node; node = node.node.scope) {
    for (const provider of providers) {
      const target = provider.targetFor(node);
      if (target) return target;
    }
  }
  throw new Error(
    `'${scope.node.path || scope.node.id}' is not inside a stack this library can render: ` +
      'place it in an aws-cdk-lib Stack, a cdktf TerraformStack, or a SelfHostedStack',
  );
}

/** The model id of a construct: its path below the target's root. */
export function modelIdOf(target: FailoverTarget, scope: IConstruct): string {
  const root = target.root.node.path;
  const path = scope.node.path;
  return root && path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

/** The model objects a target was handed, in the order it was handed them. */
export class RenderedModel {
  public readonly healthChecks: HealthCheckModel[] = [];
  public readonly recordSets: RecordSetModel[] = [];
  public readonly cidrCollections: CidrCollectionModel[] = [];

  /** A snapshot of everything handed over so far. */
  public get model(): FailoverModel {
    return {
      healthChecks: [...this.healthChecks],
      recordSets: [...this.recordSets],
      ...(this.cidrCollections.length > 0 ? { cidrCollections: [...this.cidrCollections] } : {}),
    };
  }

  /**
   * Runs the rules that span constructs (two gateways on one name, a calculated child of a calculated
   * check, ...) when `root` is validated, i.e. once the whole stack is known at synth.
   */
  public validateOn(root: IConstruct, capabilities: TargetCapabilities, report?: (scope: IConstruct, findings: readonly Finding[]) => void): void {
    let reported = false;
    root.node.addValidation({
      validate: () => {
        const model = this.model;
        if (report && !reported) {
          // The warnings that span gateways (routing trees, CIDR collections); each gateway reported its own.
          reported = true;
          report(root, [...validateTrees(model), ...validateCollections(model)].filter((f) => f.severity === 'warning'));
        }
        return errorsOf(validateModel(model, capabilities)).map((f) => formatFindings([f]));
      },
    });
  }
}
