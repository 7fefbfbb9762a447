/**
 * The part of the AWS provider's schema this target writes and reads: attribute names, Terraform types
 * and, for the HCL output, the storage classes the provider's generated bindings use. Taken from
 * hashicorp/terraform-provider-aws (`internal/service/route53/health_check.go`, `record.go`,
 * `zone_data_source.go`) as `@cdktf/provider-aws` renders them; the tests synthesize the same resources
 * with `@cdktf/provider-aws` and compare, so a name or type that drifts from the provider fails there.
 *
 * The published library does not depend on a prebuilt provider package: users bring their own AWS
 * provider configuration and version, and these generic resources fit any of them.
 */

/** A Terraform attribute type, as this target renders it. */
export type AttributeKind = 'string' | 'number' | 'bool' | 'stringSet' | 'stringMap' | 'block';

export interface AttributeSchema {
  readonly kind: AttributeKind;
  /** For blocks (max one item): the nested attributes. */
  readonly attributes?: Readonly<Record<string, AttributeSchema>>;
  /** For blocks: the storage class name the provider bindings give the HCL renderer. */
  readonly hclStorageClass?: string;
}

export type ResourceSchema = Readonly<Record<string, AttributeSchema>>;

const S: AttributeSchema = { kind: 'string' };
const N: AttributeSchema = { kind: 'number' };
const B: AttributeSchema = { kind: 'bool' };
const SET: AttributeSchema = { kind: 'stringSet' };
const MAP: AttributeSchema = { kind: 'stringMap' };

export const HEALTH_CHECK_RESOURCE = 'aws_route53_health_check';
export const RECORD_RESOURCE = 'aws_route53_record';
export const ZONE_DATA_SOURCE = 'aws_route53_zone';
export const CIDR_COLLECTION_RESOURCE = 'aws_route53_cidr_collection';
export const CIDR_LOCATION_RESOURCE = 'aws_route53_cidr_location';
/** The managed zone resource has the same type name as the data source. */
export const ZONE_RESOURCE = 'aws_route53_zone';

/** `aws_route53_health_check`: the attributes a `HealthCheckConfig` maps to. */
export const HEALTH_CHECK_SCHEMA: ResourceSchema = {
  type: S,
  ip_address: S,
  fqdn: S,
  port: N,
  resource_path: S,
  search_string: S,
  request_interval: N,
  failure_threshold: N,
  measure_latency: B,
  invert_healthcheck: B,
  disabled: B,
  enable_sni: B,
  regions: SET,
  child_healthchecks: SET,
  child_health_threshold: N,
  cloudwatch_alarm_name: S,
  cloudwatch_alarm_region: S,
  insufficient_data_health_status: S,
  routing_control_arn: S,
  tags: MAP,
};

/** `aws_route53_record`: the attributes a `ResourceRecordSet` maps to. */
export const RECORD_SCHEMA: ResourceSchema = {
  zone_id: S,
  name: S,
  type: S,
  ttl: N,
  records: SET,
  set_identifier: S,
  health_check_id: S,
  multivalue_answer_routing_policy: B,
  weighted_routing_policy: {
    kind: 'block',
    attributes: { weight: N },
    hclStorageClass: 'Route53RecordWeightedRoutingPolicyList',
  },
  failover_routing_policy: {
    kind: 'block',
    attributes: { type: S },
    hclStorageClass: 'Route53RecordFailoverRoutingPolicyList',
  },
  geolocation_routing_policy: {
    kind: 'block',
    attributes: { continent: S, country: S, subdivision: S },
    hclStorageClass: 'Route53RecordGeolocationRoutingPolicyList',
  },
  latency_routing_policy: {
    kind: 'block',
    attributes: { region: S },
    hclStorageClass: 'Route53RecordLatencyRoutingPolicyList',
  },
  cidr_routing_policy: {
    kind: 'block',
    attributes: { collection_id: S, location_name: S },
    hclStorageClass: 'Route53RecordCidrRoutingPolicyList',
  },
  alias: {
    kind: 'block',
    attributes: { evaluate_target_health: B, name: S, zone_id: S },
    hclStorageClass: 'Route53RecordAliasList',
  },
};

/** `aws_route53_cidr_collection`: a collection, by name. */
export const CIDR_COLLECTION_SCHEMA: ResourceSchema = {
  name: S,
};

/** `aws_route53_cidr_location`: one location of a collection, with its blocks. */
export const CIDR_LOCATION_SCHEMA: ResourceSchema = {
  cidr_collection_id: S,
  name: S,
  cidr_blocks: SET,
};

/** `data "aws_route53_zone"`: a lookup by name (a public zone: `private_zone` keeps its default, false). */
export const ZONE_DATA_SOURCE_SCHEMA: ResourceSchema = {
  name: S,
};
