/**
 * The Terraform target: renders the model into `aws_route53_health_check` and `aws_route53_record`
 * (and one `aws_route53_zone` data source per zone known only by name) in a cdktf (or cdktn)
 * `TerraformStack`, through generic Terraform elements written with the AWS provider's attribute names
 * (see schema.ts). Loaded with the library, but cdktf itself is required only once a construct sits in
 * a Terraform stack.
 */
import type { Construct, IConstruct } from 'constructs';
import {
  CidrCollectionModel,
  FailoverModel,
  Finding,
  HealthCheckModel,
  healthThresholdOf,
  RecordSetModel,
  TargetCapabilities,
} from '../../model';
import { FailoverTarget, registerTargetProvider, RenderedModel } from '../target';
import {
  AttributeValues,
  elementClasses,
  GenericElement,
  isTerraformStack,
  libraryOfStack,
  TerraformLibrary,
  TerraformLibraryName,
} from './library';
import {
  CIDR_COLLECTION_RESOURCE,
  CIDR_COLLECTION_SCHEMA,
  CIDR_LOCATION_RESOURCE,
  CIDR_LOCATION_SCHEMA,
  HEALTH_CHECK_RESOURCE,
  HEALTH_CHECK_SCHEMA,
  RECORD_RESOURCE,
  RECORD_SCHEMA,
  ZONE_DATA_SOURCE,
  ZONE_DATA_SOURCE_SCHEMA,
} from './schema';

/**
 * Tag carrying a health check's model id (its construct path below the stack), so a synthesized
 * Terraform file reads back with the same ids as the CloudFormation target's.
 *
 * Why a tag and not cdktf's `//` metadata (which holds the construct path too): the tag is an ordinary
 * attribute, so it survives every way a configuration is looked at: `Testing.synth` (which strips `//`),
 * HCL output (where `//` becomes a comment), `terraform show -json` of a plan or state, and the Route 53
 * console, where it tells which construct made a check. Route 53 tag values hold at most 256 characters;
 * a longer id is not tagged, and the reader falls back to the same id in the resource's `//` metadata
 * (JSON output only).
 */
export const MODEL_ID_TAG = 'cdk-dns-failover:id';
/** Key in a resource's `//` metadata (JSON output) that carries `{ id }` too: the fallback for long ids. */
export const METADATA_KEY = 'cdk-dns-failover';
/** The longest tag value Route 53 accepts. */
export const MAX_TAG_VALUE = 256;

export const TERRAFORM_CAPABILITIES: TargetCapabilities = {
  name: 'Terraform',
  route53Limits: true,
  // aws_route53_health_check has `disabled`.
  disabledHealthChecks: true,
  cloudWatchAlarmChecks: true,
  recoveryControlChecks: true,
};

/** The construct id of the per-zone data source, directly below the stack. */
export function zoneDataSourceId(zoneName: string): string {
  return `DnsFailoverZone-${zoneName}`;
}

/** aws-cdk-lib encodes its tokens like this; a cdktf stack cannot resolve them. */
const CDK_TOKEN = /\$\{Token\[/;

function refuseCdkTokens(what: string, values: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(values)) {
    const list = Array.isArray(value) ? value : [value];
    for (const v of list) {
      if (typeof v === 'string' && CDK_TOKEN.test(v)) {
        throw new Error(
          `${what}: ${key} is '${v}', an aws-cdk-lib token, which a Terraform stack cannot resolve; ` +
            'give a literal or a cdktf value (for a zone, GatewayZone.fromHostedZoneAttributes or GatewayZone.fromZoneName instead of fromHostedZone)',
        );
      }
    }
  }
}

/** Renders the model into Route 53 resources of a cdktf (or cdktn) `TerraformStack`. */
export class TerraformTarget implements FailoverTarget {
  /** The target of a Terraform stack (one per stack). */
  public static of(stack: IConstruct): TerraformTarget {
    let target = TARGETS.get(stack);
    if (!target) {
      target = new TerraformTarget(stack);
      TARGETS.set(stack, target);
    }
    return target;
  }

  public readonly capabilities = TERRAFORM_CAPABILITIES;
  /** `cdktf` or `cdktn`: the library of the stack, whose classes render it. */
  public readonly libraryName: TerraformLibraryName;
  private readonly lib: TerraformLibrary;
  private readonly rendered = new RenderedModel();
  private readonly checkResources = new Map<string, GenericElement>();
  private readonly collections = new Map<string, GenericElement>();
  private readonly zones = new Map<string, GenericElement>();

  private constructor(public readonly root: IConstruct) {
    const { name, lib } = libraryOfStack(root);
    this.libraryName = name;
    this.lib = lib;
    this.rendered.validateOn(root, this.capabilities, (scope, findings) => this.report(scope, findings));
  }

  /** Everything rendered so far, as model objects. */
  public get model(): FailoverModel {
    return this.rendered.model;
  }

  public renderHealthCheck(scope: Construct, model: HealthCheckModel): string {
    const c = model.config;
    const tags: Record<string, string> = {};
    if (model.name !== undefined) tags.Name = model.name;
    if (model.id.length <= MAX_TAG_VALUE) tags[MODEL_ID_TAG] = model.id;
    const values: AttributeValues = {
      type: c.type,
      ip_address: c.ipAddress,
      fqdn: c.fullyQualifiedDomainName,
      port: c.port,
      resource_path: c.resourcePath,
      search_string: c.searchString,
      request_interval: c.requestInterval,
      failure_threshold: c.failureThreshold,
      measure_latency: c.measureLatency,
      invert_healthcheck: c.inverted,
      disabled: c.disabled,
      enable_sni: c.enableSni,
      regions: c.regions ? [...c.regions] : undefined,
      child_healthchecks: c.childHealthChecks?.map((id) => this.healthCheckRef(id)),
      // Always written for a calculated check: Route 53 documents no default (the model's healthThresholdOf).
      child_health_threshold: c.type === 'CALCULATED' ? healthThresholdOf(c) : c.healthThreshold,
      cloudwatch_alarm_name: c.alarmIdentifier?.name,
      cloudwatch_alarm_region: c.alarmIdentifier?.region,
      insufficient_data_health_status: c.insufficientDataHealthStatus,
      routing_control_arn: c.routingControlArn,
      tags,
    };
    refuseCdkTokens(`health check '${model.id}'`, values);
    const { Resource } = elementClasses(this.lib);
    const resource = new Resource(scope, 'Resource', {
      terraformType: HEALTH_CHECK_RESOURCE,
      schema: HEALTH_CHECK_SCHEMA,
      values,
      metadata: { [METADATA_KEY]: { id: model.id } },
    });
    this.checkResources.set(model.id, resource);
    this.rendered.healthChecks.push(model);
    return resource.getStringAttribute('id');
  }

  public renderRecordSet(scope: Construct, model: RecordSetModel): void {
    const alias = model.aliasTarget;
    const g = model.geoLocation;
    const values: AttributeValues = {
      zone_id: this.zoneIdOf(model),
      name: model.name,
      type: model.recordType,
      ttl: model.ttl,
      records: alias ? undefined : [...model.values],
      set_identifier: model.setIdentifier,
      health_check_id: model.healthCheckId !== undefined ? this.healthCheckRef(model.healthCheckId) : undefined,
      // Weight 0 is a valid weight: test against undefined, never truthiness.
      weighted_routing_policy: model.weight !== undefined ? { weight: model.weight } : undefined,
      failover_routing_policy: model.failover !== undefined ? { type: model.failover } : undefined,
      multivalue_answer_routing_policy: model.multiValueAnswer,
      geolocation_routing_policy: g ? { continent: g.continentCode, country: g.countryCode, subdivision: g.subdivisionCode } : undefined,
      latency_routing_policy: model.region !== undefined ? { region: model.region } : undefined,
      cidr_routing_policy: model.cidrRoutingConfig
        ? { collection_id: this.collectionRef(model.cidrRoutingConfig.collectionId), location_name: model.cidrRoutingConfig.locationName }
        : undefined,
      alias: alias
        ? { name: alias.dnsName, zone_id: alias.hostedZoneId ?? this.zoneIdOf(alias), evaluate_target_health: alias.evaluateTargetHealth }
        : undefined,
    };
    refuseCdkTokens(`record ${model.name} ${model.recordType}${model.setIdentifier !== undefined ? ` [${model.setIdentifier}]` : ''}`, values);
    const { Resource } = elementClasses(this.lib);
    new Resource(scope, 'Resource', { terraformType: RECORD_RESOURCE, schema: RECORD_SCHEMA, values });
    this.rendered.recordSets.push(model);
  }

  /** A collection and one `aws_route53_cidr_location` per location; returns the collection's id. */
  public renderCidrCollection(scope: Construct, model: CidrCollectionModel): string {
    refuseCdkTokens(`CIDR collection '${model.name}'`, { name: model.name });
    const { Resource } = elementClasses(this.lib);
    const collection = new Resource(scope, 'Resource', {
      terraformType: CIDR_COLLECTION_RESOURCE,
      schema: CIDR_COLLECTION_SCHEMA,
      values: { name: model.name },
    });
    const id = collection.getStringAttribute('id');
    for (const location of model.locations) {
      new Resource(scope, `Location-${location.name}`, {
        terraformType: CIDR_LOCATION_RESOURCE,
        schema: CIDR_LOCATION_SCHEMA,
        values: { cidr_collection_id: id, name: location.name, cidr_blocks: [...location.cidrList] },
      });
    }
    this.collections.set(model.id, collection);
    this.rendered.cidrCollections.push(model);
    return id;
  }

  public report(scope: IConstruct, findings: readonly Finding[]): void {
    for (const f of findings) {
      if (f.severity === 'warning') this.lib.Annotations.of(scope).addWarning(`${f.message} [cdk-dns-failover:${f.rule}]`);
    }
  }

  /** A zone id is written as is; a zone known by name is looked up once per stack with a data source. */
  private zoneIdOf(model: { readonly hostedZoneId?: string; readonly hostedZoneName?: string }): string | undefined {
    if (model.hostedZoneId !== undefined) return model.hostedZoneId;
    if (model.hostedZoneName === undefined) return undefined;
    const zoneName = model.hostedZoneName;
    let zone = this.zones.get(zoneName);
    if (!zone) {
      refuseCdkTokens(`zone '${zoneName}'`, { name: zoneName });
      const { DataSource } = elementClasses(this.lib);
      zone = new DataSource(this.root as Construct, zoneDataSourceId(zoneName), {
        terraformType: ZONE_DATA_SOURCE,
        schema: ZONE_DATA_SOURCE_SCHEMA,
        values: { name: zoneName },
      });
      this.zones.set(zoneName, zone);
    }
    return zone.getStringAttribute('zone_id');
  }

  /** A collection's model id of ours becomes a reference to its resource's id; anything else is an external id. */
  private collectionRef(id: string): string {
    const resource = this.collections.get(id);
    return resource ? resource.getStringAttribute('id') : id;
  }

  /** A model id of ours becomes a reference to the resource's id; anything else is an external Route 53 id. */
  private healthCheckRef(id: string): string {
    const resource = this.checkResources.get(id);
    return resource ? resource.getStringAttribute('id') : id;
  }
}

const TARGETS = new WeakMap<IConstruct, TerraformTarget>();

registerTargetProvider({
  // Recognising the stack needs no module; cdktf (or cdktn) is loaded only for a Terraform stack.
  targetFor: (scope) => (isTerraformStack(scope) ? TerraformTarget.of(scope) : undefined),
});
