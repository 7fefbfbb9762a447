/**
 * Reads a synthesized Terraform JSON configuration (`cdk.tf.json`) back into the Route 53 model, for the
 * verifier and the round-trip tests. Understands `aws_route53_health_check`, `aws_route53_record` and the
 * `aws_route53_zone` data source (and resource), whoever wrote them. References between them
 * (`${aws_route53_health_check.X.id}`, `${data.aws_route53_zone.Z.zone_id}`) map back to model ids and
 * zone names; anything else only known at apply time (`${var.x}`, `${local.y}`, functions) becomes an
 * unresolved marker (`${tf:var.x}`) that `isUnresolved` recognises.
 */
import * as fs from 'fs';
import * as path from 'path';
import { METADATA_KEY, MODEL_ID_TAG } from './render';
import { CIDR_COLLECTION_RESOURCE, CIDR_LOCATION_RESOURCE, HEALTH_CHECK_RESOURCE, RECORD_RESOURCE, ZONE_DATA_SOURCE, ZONE_RESOURCE } from './schema';
import {
  CidrCollectionModel,
  CidrLocationModel,
  FailoverModel,
  FailoverRole,
  HealthCheckConfigModel,
  HealthCheckModel,
  HealthCheckType,
  InsufficientDataHealthStatus,
  normalizeName,
  readBoolean,
  readList,
  readNumber,
  RecordSetModel,
  RecordType,
  unresolvedMarker,
} from '../../model';


type Body = Record<string, any>;

/** `${` or `%{` that is not escaped as `$${` / `%%{`. */
const INTERPOLATION = /(^|[^$%])[$%]\{/;
/** A string that is one interpolation and nothing else. */
const PURE_INTERPOLATION = /^\$\{([^{}]*)\}$/;

function expressionOf(value: string): string | undefined {
  if (!INTERPOLATION.test(value)) return undefined;
  const pure = PURE_INTERPOLATION.exec(value);
  return (pure ? pure[1] : value).trim();
}

/** The marker of a Terraform expression only known at apply time. */
export function terraformMarker(expression: string): string {
  return unresolvedMarker(`tf:${expression}`);
}

function str(value: any): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    const expr = expressionOf(value);
    if (expr !== undefined) return terraformMarker(expr);
    return value.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return terraformMarker(JSON.stringify(value));
}


/** A max-one nested block: the provider bindings write an object, hand-written JSON often a list of one. */
function block(value: any): Body | undefined {
  if (Array.isArray(value)) return value.length > 0 && value[0] && typeof value[0] === 'object' ? value[0] : undefined;
  return value && typeof value === 'object' ? value : undefined;
}

/**
 * `{type: {name: body}}` of a `resource` or `data` section. Terraform's JSON syntax also allows a list of
 * such objects, and a list of bodies for one name.
 */
function elementsOf(section: any, type: string): Array<[string, Body]> {
  const sections = Array.isArray(section) ? section : section ? [section] : [];
  const out: Array<[string, Body]> = [];
  for (const s of sections) {
    const byType = s?.[type];
    const groups = Array.isArray(byType) ? byType : byType ? [byType] : [];
    for (const g of groups) {
      for (const [name, body] of Object.entries<any>(g ?? {})) {
        const b = block(body);
        if (b) out.push([name, b]);
      }
    }
  }
  return out;
}

/** `aws_route53_health_check.NAME.id` → NAME */
const HEALTH_CHECK_REF = new RegExp(`^${HEALTH_CHECK_RESOURCE}\\.([A-Za-z_][A-Za-z0-9_-]*)\\.id$`);
/** `aws_route53_cidr_collection.NAME.id` → NAME */
const COLLECTION_REF = new RegExp(`^${CIDR_COLLECTION_RESOURCE}\\.([A-Za-z_][A-Za-z0-9_-]*)\\.id$`);
/** `data.aws_route53_zone.NAME.zone_id` (or `.id`), `aws_route53_zone.NAME.zone_id` → [data., NAME] */
const ZONE_REF = new RegExp(`^(data\\.)?${ZONE_DATA_SOURCE}\\.([A-Za-z_][A-Za-z0-9_-]*)\\.(zone_id|id)$`);

function readHealthCheckConfig(b: Body, refToId: (v: any) => string): HealthCheckConfigModel {
  const alarmName = str(b.cloudwatch_alarm_name);
  const alarmRegion = str(b.cloudwatch_alarm_region);
  return {
    type: str(b.type) as HealthCheckType,
    ipAddress: str(b.ip_address),
    fullyQualifiedDomainName: str(b.fqdn),
    port: readNumber(b.port),
    resourcePath: str(b.resource_path),
    searchString: str(b.search_string),
    requestInterval: readNumber(b.request_interval),
    failureThreshold: readNumber(b.failure_threshold),
    measureLatency: readBoolean(b.measure_latency),
    inverted: readBoolean(b.invert_healthcheck),
    disabled: readBoolean(b.disabled),
    enableSni: readBoolean(b.enable_sni),
    regions: readList(b.regions, str),
    childHealthChecks: b.child_healthchecks === undefined || b.child_healthchecks === null
      ? undefined
      : Array.isArray(b.child_healthchecks) ? b.child_healthchecks.map(refToId) : [str(b.child_healthchecks)!],
    healthThreshold: readNumber(b.child_health_threshold),
    alarmIdentifier: alarmName !== undefined || alarmRegion !== undefined ? { name: alarmName!, region: alarmRegion! } : undefined,
    insufficientDataHealthStatus: str(b.insufficient_data_health_status) as InsufficientDataHealthStatus | undefined,
    routingControlArn: str(b.routing_control_arn),
  };
}

/** The model id of a health check resource: our tag, else our `//` metadata, else the resource's name. */
function healthCheckModelId(name: string, b: Body): string {
  const tag = b.tags && typeof b.tags === 'object' ? b.tags[MODEL_ID_TAG] : undefined;
  if (typeof tag === 'string' && tag !== '') return tag;
  const meta = b['//']?.[METADATA_KEY]?.id;
  if (typeof meta === 'string' && meta !== '') return meta;
  return name;
}

/** Terraform qualifies a record name that does not end in the zone's name (the provider's expandRecordName). */
function qualifiedRecordName(name: string, zoneName: string | undefined): string {
  const n = normalizeName(name);
  if (zoneName === undefined || n.startsWith('${')) return n;
  const zone = normalizeName(zoneName);
  if (n === '') return zone;
  return n === zone || n.endsWith(`.${zone}`) ? n : `${n}.${zone}`;
}

/** Reads a Terraform JSON configuration (a parsed `cdk.tf.json`, or its text) into the model. */
export function readTerraformJson(json: unknown): FailoverModel {
  const config: any = typeof json === 'string' ? JSON.parse(json) : json;
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    throw new Error('not a Terraform JSON configuration: expected a JSON object with a "resource" section (a cdk.tf.json)');
  }

  const idByName = new Map<string, string>();
  const checks = elementsOf(config.resource, HEALTH_CHECK_RESOURCE);
  for (const [name, b] of checks) idByName.set(name, healthCheckModelId(name, b));

  /** Zone names of the zones this configuration looks up (data) or manages (resource), by address. */
  const zoneNames = new Map<string, string | undefined>();
  const zoneIds = new Map<string, string | undefined>();
  for (const [prefix, section] of [['data.', config.data], ['', config.resource]] as const) {
    for (const [name, b] of elementsOf(section, prefix ? ZONE_DATA_SOURCE : ZONE_RESOURCE)) {
      const zoneName = str(b.name);
      zoneNames.set(`${prefix}${name}`, zoneName !== undefined && !zoneName.startsWith('${') ? normalizeName(zoneName) : undefined);
      // A data source may look a zone up by id instead.
      zoneIds.set(`${prefix}${name}`, prefix ? str(b.zone_id) : undefined);
    }
  }

  const refToId = (value: any): string => {
    if (typeof value === 'string') {
      const expr = expressionOf(value);
      const m = expr !== undefined ? HEALTH_CHECK_REF.exec(expr) : null;
      if (m && idByName.has(m[1])) return idByName.get(m[1])!;
    }
    return str(value)!;
  };

  // CIDR collections: a collection resource, and its locations (each its own resource) by reference.
  const collectionIdByName = new Map<string, string>();
  // A collection's model id is its name (unique in the account).
  const cidrCollections: CidrCollectionModel[] = elementsOf(config.resource, CIDR_COLLECTION_RESOURCE).map(([name, b]) => {
    const id = str(b.name) ?? name;
    collectionIdByName.set(name, id);
    return { id, name: id, locations: [] as CidrLocationModel[] };
  });
  const collectionRefToId = (value: any): string => {
    if (typeof value === 'string') {
      const expr = expressionOf(value);
      const m = expr !== undefined ? COLLECTION_REF.exec(expr) : null;
      if (m && collectionIdByName.has(m[1])) return collectionIdByName.get(m[1])!;
    }
    return str(value)!;
  };
  for (const [, b] of elementsOf(config.resource, CIDR_LOCATION_RESOURCE)) {
    const c = cidrCollections.find((x) => x.id === collectionRefToId(b.cidr_collection_id));
    const location = { name: str(b.name)!, cidrList: readList(b.cidr_blocks, str) ?? [] };
    if (c) (c.locations as CidrLocationModel[]).push(location);
  }

  const zoneOf = (value: any): { hostedZoneId?: string; hostedZoneName?: string } => {
    if (typeof value === 'string') {
      const expr = expressionOf(value);
      const m = expr !== undefined ? ZONE_REF.exec(expr) : null;
      if (m) {
        const address = `${m[1] ?? ''}${m[2]}`;
        const zoneName = zoneNames.get(address);
        if (zoneName !== undefined) return { hostedZoneName: zoneName };
        const zoneId = zoneIds.get(address);
        if (zoneId !== undefined) return { hostedZoneId: zoneId };
      }
    }
    return { hostedZoneId: str(value) };
  };

  const healthChecks: HealthCheckModel[] = checks.map(([name, b]) => ({
    id: idByName.get(name)!,
    name: b.tags && typeof b.tags === 'object' ? str(b.tags.Name) : undefined,
    config: readHealthCheckConfig(b, refToId),
  }));

  const recordSets: RecordSetModel[] = elementsOf(config.resource, RECORD_RESOURCE).map(([, b]) => {
    const zone = zoneOf(b.zone_id);
    const geo = block(b.geolocation_routing_policy);
    const cidr = block(b.cidr_routing_policy);
    const alias = block(b.alias);
    const aliasZone = alias ? zoneOf(alias.zone_id) : undefined;
    return {
      ...zone,
      name: qualifiedRecordName(str(b.name) ?? '', zone.hostedZoneName),
      recordType: str(b.type) as RecordType,
      ttl: readNumber(b.ttl),
      values: readList(b.records, str) ?? [],
      setIdentifier: str(b.set_identifier),
      weight: readNumber(block(b.weighted_routing_policy)?.weight),
      failover: str(block(b.failover_routing_policy)?.type) as FailoverRole | undefined,
      multiValueAnswer: readBoolean(b.multivalue_answer_routing_policy),
      geoLocation: geo ? { continentCode: str(geo.continent), countryCode: str(geo.country), subdivisionCode: str(geo.subdivision) } : undefined,
      region: str(block(b.latency_routing_policy)?.region),
      cidrRoutingConfig: cidr ? { collectionId: collectionRefToId(cidr.collection_id), locationName: str(cidr.location_name)! } : undefined,
      aliasTarget: alias
        ? {
          dnsName: qualifiedRecordName(str(alias.name) ?? '', aliasZone?.hostedZoneName),
          ...aliasZone,
          evaluateTargetHealth: readBoolean(alias.evaluate_target_health) ?? false,
        }
        : undefined,
      healthCheckId: b.health_check_id !== undefined && b.health_check_id !== null ? refToId(b.health_check_id) : undefined,
    };
  });
  return { healthChecks, recordSets, ...(cidrCollections.length > 0 ? { cidrCollections } : {}) };
}

/** The file name cdktf gives a stack's JSON configuration. */
export const TERRAFORM_STACK_FILE = 'cdk.tf.json';

/**
 * The `cdk.tf.json` at `location`: the file itself, a stack folder (`cdktf.out/stacks/NAME`), or a
 * cdktf output folder (`cdktf.out`, whose manifest names the stacks; give `stackName` when it holds
 * more than one).
 */
export function terraformStackFile(location: string, stackName?: string): string {
  if (!fs.existsSync(location)) throw new Error(`'${location}' does not exist; give a cdk.tf.json, a stack folder, or a cdktf.out folder`);
  if (fs.statSync(location).isFile()) return location;
  const direct = path.join(location, TERRAFORM_STACK_FILE);
  if (fs.existsSync(direct)) return direct;
  if (fs.existsSync(path.join(location, 'cdk.tf'))) {
    throw new Error(`'${location}' holds HCL (cdk.tf), not JSON; synthesize without SYNTH_HCL_OUTPUT to read it back`);
  }
  const manifestPath = path.join(location, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new Error(`'${location}' has neither ${TERRAFORM_STACK_FILE} nor manifest.json; give a cdk.tf.json, a stack folder, or a cdktf.out folder`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const stacks: Record<string, { synthesizedStackPath?: string }> = manifest.stacks ?? {};
  const names = Object.keys(stacks);
  let chosen = stackName;
  if (chosen === undefined) {
    if (names.length !== 1) {
      throw new Error(`'${location}' holds ${names.length} stacks (${names.join(', ') || 'none'}); name the one to read`);
    }
    chosen = names[0];
  }
  const stack = stacks[chosen];
  if (!stack) throw new Error(`'${location}' has no stack '${chosen}'; its stacks are ${names.join(', ') || 'none'}`);
  const file = path.join(location, stack.synthesizedStackPath ?? path.join('stacks', chosen, TERRAFORM_STACK_FILE));
  if (file.endsWith('.tf')) throw new Error(`stack '${chosen}' was synthesized as HCL (${file}); synthesize without SYNTH_HCL_OUTPUT to read it back`);
  return file;
}

/** Reads a synthesized Terraform stack: a cdk.tf.json, a stack folder, or a cdktf.out folder. */
export function readTerraformOutput(location: string, stackName?: string): FailoverModel {
  return readTerraformJson(JSON.parse(fs.readFileSync(terraformStackFile(location, stackName), 'utf8')));
}
