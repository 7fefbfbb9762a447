import { Annotations, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { CfnCidrCollection, CfnHealthCheck, CfnRecordSet, IAliasRecordTarget, IRecordSet } from 'aws-cdk-lib/aws-route53';
import { Construct, IConstruct } from 'constructs';
import {
  CidrCollectionModel,
  FailoverModel,
  Finding,
  HEALTH_CHECK_METRIC,
  isAliasInZone,
  normalizeName,
  HealthCheckModel,
  healthThresholdOf,
  RecordSetModel,
  TargetCapabilities,
} from '../../model';
import { FailoverTarget, registerTargetProvider, RenderedModel, ResolvedAliasTarget, UnhealthyAlarmRequest } from '../target';

/** CloudFormation metadata key carrying the model id of a resource, so a template reads back exactly. */
export const MODEL_METADATA_KEY = 'cdk-dns-failover';

export const CLOUDFORMATION_CAPABILITIES: TargetCapabilities = {
  name: 'CloudFormation',
  route53Limits: true,
  disabledHealthChecks: false,
  cloudWatchAlarmChecks: true,
  recoveryControlChecks: true,
};

/** Renders the model into `AWS::Route53::HealthCheck` and `AWS::Route53::RecordSet` of an aws-cdk-lib stack. */
export class CloudFormationTarget implements FailoverTarget {
  /** The target of an aws-cdk-lib stack (one per stack). */
  public static of(stack: Stack): CloudFormationTarget {
    let target = TARGETS.get(stack);
    if (!target) {
      target = new CloudFormationTarget(stack);
      TARGETS.set(stack, target);
    }
    return target;
  }

  public readonly capabilities = CLOUDFORMATION_CAPABILITIES;
  private readonly rendered = new RenderedModel();
  private readonly checkResources = new Map<string, CfnHealthCheck>();
  private readonly collectionResources = new Map<string, CfnCidrCollection>();

  private readonly recordResources = new Map<string, CfnRecordSet[]>();

  private constructor(public readonly root: Stack) {
    this.rendered.validateOn(root, this.capabilities, (scope, findings) => this.report(scope, findings));
  }

  /** Everything rendered so far, as model objects. */
  public get model(): FailoverModel {
    return this.rendered.model;
  }

  public renderHealthCheck(scope: Construct, model: HealthCheckModel): string {
    const c = model.config;
    const resource = new CfnHealthCheck(scope, 'Resource', {
      healthCheckConfig: {
        type: c.type,
        ipAddress: c.ipAddress,
        fullyQualifiedDomainName: c.fullyQualifiedDomainName,
        port: c.port,
        resourcePath: c.resourcePath,
        searchString: c.searchString,
        requestInterval: c.requestInterval,
        failureThreshold: c.failureThreshold,
        measureLatency: c.measureLatency,
        inverted: c.inverted,
        enableSni: c.enableSni,
        regions: c.regions ? [...c.regions] : undefined,
        childHealthChecks: c.childHealthChecks?.map((id) => this.healthCheckRef(id)),
        // Always written for a calculated check: Route 53 documents no default (the model's healthThresholdOf).
        healthThreshold: c.type === 'CALCULATED' ? healthThresholdOf(c) : c.healthThreshold,
        alarmIdentifier: c.alarmIdentifier ? { name: c.alarmIdentifier.name, region: c.alarmIdentifier.region } : undefined,
        insufficientDataHealthStatus: c.insufficientDataHealthStatus,
        routingControlArn: c.routingControlArn,
      },
      healthCheckTags: model.name !== undefined ? [{ key: 'Name', value: model.name }] : undefined,
    });
    resource.addMetadata(MODEL_METADATA_KEY, { id: model.id });
    this.checkResources.set(model.id, resource);
    this.rendered.healthChecks.push(model);
    return resource.attrHealthCheckId;
  }

  public renderRecordSet(scope: Construct, model: RecordSetModel): void {
    const alias = model.aliasTarget;
    if (alias && alias.hostedZoneId === undefined) {
      throw new Error(
        `record ${model.name} ${model.recordType}${model.setIdentifier !== undefined ? ` [${model.setIdentifier}]` : ''} is an alias, and a CloudFormation alias ` +
        'needs its zone\'s id (AliasTarget.HostedZoneId); give the gateway its zone with GatewayZone.fromHostedZoneAttributes or GatewayZone.fromHostedZone',
      );
    }
    const g = model.geoLocation;
    const resource = new CfnRecordSet(scope, 'Resource', {
      hostedZoneId: model.hostedZoneId,
      // CloudFormation wants the zone name with its trailing dot.
      hostedZoneName: model.hostedZoneName !== undefined ? `${model.hostedZoneName}.` : undefined,
      name: `${model.name}.`,
      type: model.recordType,
      ttl: model.ttl !== undefined ? String(model.ttl) : undefined,
      resourceRecords: alias ? undefined : [...model.values],
      setIdentifier: model.setIdentifier,
      // Weight 0 is a valid weight: test against undefined, never truthiness.
      weight: model.weight,
      failover: model.failover,
      multiValueAnswer: model.multiValueAnswer,
      geoLocation: g ? { continentCode: g.continentCode, countryCode: g.countryCode, subdivisionCode: g.subdivisionCode } : undefined,
      region: model.region,
      cidrRoutingConfig: model.cidrRoutingConfig
        ? { collectionId: this.collectionRef(model.cidrRoutingConfig.collectionId), locationName: model.cidrRoutingConfig.locationName }
        : undefined,
      aliasTarget: alias
        ? { dnsName: alias.dnsName, hostedZoneId: alias.hostedZoneId!, evaluateTargetHealth: alias.evaluateTargetHealth }
        : undefined,
      healthCheckId: model.healthCheckId !== undefined ? this.healthCheckRef(model.healthCheckId) : undefined,
    });
    // An alias to a record of this stack is created after its target (CloudFormation cannot see the
    // name); the target gateway renders first, since it is a member of this one.
    if (alias && isAliasInZone(model)) {
      for (const t of this.recordResources.get(recordKey(normalizeName(alias.dnsName), model)) ?? []) resource.addDependency(t);
    }
    const key = recordKey(model.name, model);
    this.recordResources.set(key, [...(this.recordResources.get(key) ?? []), resource]);
    this.rendered.recordSets.push(model);
  }

  public renderCidrCollection(scope: Construct, model: CidrCollectionModel): string {
    const resource = new CfnCidrCollection(scope, 'Resource', {
      name: model.name,
      locations: model.locations.map((l) => ({ locationName: l.name, cidrList: [...l.cidrList] })),
    });
    this.collectionResources.set(model.id, resource);
    this.rendered.cidrCollections.push(model);
    return resource.attrId;
  }

  /** Binds an aws-cdk-lib alias target (load balancer, CloudFront, S3 website, API) to a record of this stack. */
  public resolveAliasTarget(scope: Construct, target: IAliasRecordTarget, recordName: string): ResolvedAliasTarget {
    // Targets read the record's stack (a region, a partition) and name; the record itself is rendered here.
    const record = Object.assign(new Construct(scope, 'AliasTarget'), {
      domainName: recordName,
      stack: this.root,
      env: { account: this.root.account, region: this.root.region },
      applyRemovalPolicy: () => undefined,
    }) as unknown as IRecordSet;
    const config = target.bind(record);
    const { dnsName, hostedZoneId, evaluateTargetHealth } = config;
    return { dnsName, hostedZoneId, ...(evaluateTargetHealth !== undefined ? { evaluateTargetHealth } : {}) };
  }

  public report(scope: IConstruct, findings: readonly Finding[]): void {
    for (const f of findings) {
      if (f.severity === 'warning') {
        Annotations.of(scope).addWarningV2(`cdk-dns-failover:${f.rule}`, `${f.message} [${f.rule}]`);
      }
    }
  }

  public createUnhealthyAlarm(scope: Construct, id: string, request: UnhealthyAlarmRequest): IConstruct {
    const region = this.root.region;
    const metricRegion = HEALTH_CHECK_METRIC.region;
    if (!region.startsWith('${') && region !== metricRegion) {
      throw new Error(`stack '${this.root.stackName}' is in ${region}, but Route 53 publishes ${HEALTH_CHECK_METRIC.metricName} only in ${metricRegion} and an alarm must live in its metric's region; create the alarm in a ${metricRegion} stack (metricHealthCheckStatus gives the metric)`);
    }
    return new cloudwatch.Alarm(scope, id, {
      metric: request.metric,
      alarmName: request.alarmName,
      alarmDescription: request.description,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: request.evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
  }

  /** A collection of ours becomes its resource's Id; anything else is an external collection id. */
  private collectionRef(id: string): string {
    const resource = this.collectionResources.get(id);
    return resource ? resource.attrId : id;
  }

  /** A model id of ours becomes the resource's HealthCheckId; anything else is an external Route 53 id. */
  private healthCheckRef(id: string): string {
    const resource = this.checkResources.get(id);
    return resource ? resource.attrHealthCheckId : id;
  }
}

const TARGETS = new WeakMap<Stack, CloudFormationTarget>();

/** Records of one name, type and zone. */
function recordKey(name: string, zone: Pick<RecordSetModel, 'recordType' | 'hostedZoneId' | 'hostedZoneName'>): string {
  return `${name}|${zone.recordType}|${zone.hostedZoneId ?? zone.hostedZoneName}`;
}

registerTargetProvider({
  targetFor: (scope) => (Stack.isStack(scope) ? CloudFormationTarget.of(scope) : undefined),
});
