/**
 * Reading a bundle config: JSON Schema first (structure), then the bundle's own rules (names inside
 * their zones, values, references), then the model's rules through `validateModel` with the
 * self-hosted target's capabilities. Every problem names its JSON path and the bad value.
 */
import { readFileSync } from 'fs';
import { isIPv6 } from 'net';
import * as path from 'path';
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { BUNDLE_CONFIG_VERSION, BundleConfig, BundleZone } from './types';
import { parseRecordValue } from './values';
import {
  dnsNameProblem,
  failoverWarnings,
  FailoverModel,
  Finding,
  groupRecords,
  HealthCheckModel,
  normalizeName,
  recordLabel,
  RecordSetModel,
  routingPolicyOf,
  TargetCapabilities,
  validateModel,
} from '../../../model';

/** What the self-hosted target can express (see `TargetCapabilities`). */
export const SELF_HOSTED_CAPABILITIES: TargetCapabilities = {
  name: 'the self-hosted target',
  route53Limits: false,
  disabledHealthChecks: true,
  cloudWatchAlarmChecks: false,
  recoveryControlChecks: false,
};

/** Where the JSON Schema of the bundle config lies (shipped next to this module). */
export const BUNDLE_SCHEMA_PATH = path.join(__dirname, 'schema.json');

export interface BundleProblem {
  /** JSON Pointer into the config, for example `/zones/0/records/2/values/0`. */
  readonly path: string;
  readonly message: string;
  /** The model rule id, for problems found by `validateModel`. */
  readonly rule?: string;
}

export interface BundleCheck {
  /** The config, when it has no errors. */
  readonly config?: BundleConfig;
  readonly errors: readonly BundleProblem[];
  readonly warnings: readonly BundleProblem[];
}

export class BundleConfigError extends Error {
  constructor(readonly problems: readonly BundleProblem[]) {
    super(`the bundle config is invalid:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'BundleConfigError';
  }
}

export function formatProblem(p: BundleProblem): string {
  return `  ${p.path || '/'}: ${p.message}${p.rule ? ` [${p.rule}]` : ''}`;
}

let validator: ValidateFunction | undefined;

/** The bundle config's JSON Schema (draft 2020-12). */
export function bundleSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(BUNDLE_SCHEMA_PATH, 'utf8'));
}

function schemaValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
    validator = ajv.compile(bundleSchema());
  }
  return validator;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function schemaProblem(e: ErrorObject): BundleProblem {
  const where = e.instancePath;
  const got = `got ${show(e.data)}`;
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: where, message: `unknown property '${e.params.additionalProperty}'; remove it (check its spelling against the bundle config schema)` };
    case 'required':
      return { path: where, message: `the required property '${e.params.missingProperty}' is missing; add it` };
    case 'enum':
      return { path: where, message: `${got}; use one of ${(e.params.allowedValues as unknown[]).map(show).join(', ')}` };
    case 'const':
      return { path: where, message: `${got}; it must be ${show(e.params.allowedValue)}` };
    case 'pattern':
      return { path: where, message: `${got}, which does not match ${e.params.pattern}${where.endsWith('/dns') || where.endsWith('/admin') ? ' (write host:port, [v6]:port for IPv6)' : ''}` };
    default:
      return { path: where, message: `${e.message ?? e.keyword}, ${got}` };
  }
}

/** Keeps the most useful schema errors: one per path, structural before value errors. */
function schemaProblems(errors: readonly ErrorObject[]): BundleProblem[] {
  const seen = new Set<string>();
  const out: BundleProblem[] = [];
  for (const e of errors) {
    const p = schemaProblem(e);
    const key = `${p.path}|${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

const inZone = (name: string, zone: string) => name === zone || name.endsWith(`.${zone}`);

/** The longest configured zone containing `name`. */
export function zoneOf(zones: readonly BundleZone[], name: string): BundleZone | undefined {
  const n = normalizeName(name);
  let best: BundleZone | undefined;
  for (const z of zones) {
    const zn = normalizeName(z.name);
    if (inZone(n, zn) && (!best || zn.length > normalizeName(best.name).length)) best = z;
  }
  return best;
}

function hostPortProblem(value: string): string | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value);
  if (!m) return `'${value}' is not host:port`;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return `port ${port} in '${value}' is out of range; use 1 to 65535`;
  if (m[1] !== undefined && !isIPv6(m[1])) return `'${m[1]}' in '${value}' is not an IPv6 address`;
  return undefined;
}

function nameProblem(name: string, what: string): string | undefined {
  if (name.includes('*')) return `${what} '${name}' is a wildcard; wildcard names are not served by the self-hosted DNS server yet, list the names explicitly`;
  const p = dnsNameProblem(name);
  return p ? `${what} '${name}' is not a valid DNS name: ${p}` : undefined;
}

/** The bundle's own rules, past the schema. */
function bundleProblems(c: BundleConfig): { errors: BundleProblem[]; warnings: BundleProblem[] } {
  const errors: BundleProblem[] = [];
  const warnings: BundleProblem[] = [];
  const err = (p: string, message: string) => errors.push({ path: p, message });

  const zoneNames = new Map<string, number>();
  c.zones.forEach((z, zi) => {
    const zp = `/zones/${zi}`;
    const np = nameProblem(z.name, 'zone name');
    if (np) err(`${zp}/name`, np);
    const zn = normalizeName(z.name);
    if (zoneNames.has(zn)) err(`${zp}/name`, `zone '${z.name}' is also defined at /zones/${zoneNames.get(zn)}; define each zone once`);
    zoneNames.set(zn, zi);
    for (const f of ['mname', 'rname'] as const) {
      const p = nameProblem(z.soa[f], `SOA ${f}`);
      if (p) err(`${zp}/soa/${f}`, p);
    }
    const seenNs = new Set<string>();
    z.nameServers.forEach((ns, i) => {
      const p = nameProblem(ns, 'name server');
      if (p) err(`${zp}/nameServers/${i}`, p);
      if (seenNs.has(normalizeName(ns))) err(`${zp}/nameServers/${i}`, `name server '${ns}' is listed twice; list each once`);
      seenNs.add(normalizeName(ns));
    });
    (z.records ?? []).forEach((r, ri) => {
      const rp = `${zp}/records/${ri}`;
      const p = nameProblem(r.name, 'record name');
      if (p) err(`${rp}/name`, p);
      else if (!inZone(normalizeName(r.name), zn)) err(`${rp}/name`, `record name '${r.name}' is outside zone '${z.name}'; use a name ending in '${zn}', or put the record in the zone that holds it`);
      else if (normalizeName(r.name) === zn && r.recordType === 'CNAME') err(`${rp}/recordType`, `a CNAME at the zone apex '${z.name}' would conflict with its SOA and NS records; use A/AAAA records at the apex`);
      r.values.forEach((v, vi) => {
        const res = parseRecordValue(r.recordType, v);
        if (!res.ok) err(`${rp}/values/${vi}`, res.problem);
      });
    });
  });

  const hcIds = new Set(c.healthChecks.map((h) => h.id));
  c.recordSets.forEach((r, ri) => {
    const rp = `/recordSets/${ri}`;
    if (routingPolicyOf(r) === 'simple') {
      err(rp, `record '${r.name}' ${r.recordType} [${r.setIdentifier}] has no routing policy; give it a weight, a failover role or multiValueAnswer, or put a plain record in /zones/N/records`);
    }
    const p = nameProblem(r.name, 'record name');
    if (p) {err(`${rp}/name`, p);} else if (r.hostedZoneName !== undefined) {
      const zn = normalizeName(r.hostedZoneName);
      if (!zoneNames.has(zn)) err(`${rp}/hostedZoneName`, `zone '${r.hostedZoneName}' is not one of the configured zones (${[...zoneNames.keys()].join(', ')}); add it to /zones or fix the name`);
      else if (!inZone(normalizeName(r.name), zn)) err(`${rp}/name`, `record name '${r.name}' is outside its zone '${r.hostedZoneName}'`);
    } else if (!zoneOf(c.zones, r.name)) {
      err(`${rp}/name`, `record name '${r.name}' is in none of the configured zones (${[...zoneNames.keys()].join(', ')}); add its zone to /zones`);
    }
    if (r.healthCheckId !== undefined && !hcIds.has(r.healthCheckId)) {
      err(`${rp}/healthCheckId`, `health check '${r.healthCheckId}' is not defined in /healthChecks; add it or fix the id`);
    }
    r.values.forEach((v, vi) => {
      const res = parseRecordValue(r.recordType, v);
      if (!res.ok) err(`${rp}/values/${vi}`, res.problem);
    });
  });

  const regions = new Set(c.checkers.map((k) => k.region));
  c.healthChecks.forEach((h, hi) => {
    (h.config.childHealthChecks ?? []).forEach((child, ci) => {
      if (!hcIds.has(child)) err(`/healthChecks/${hi}/config/childHealthChecks/${ci}`, `child health check '${child}' is not defined in /healthChecks; add it or fix the id`);
    });
    (h.config.regions ?? []).forEach((region, ri) => {
      if (!regions.has(region)) {
        warnings.push({ path: `/healthChecks/${hi}/config/regions/${ri}`, message: `no configured checker runs in region '${region}', so it never reports on '${h.id}'; add a checker there or remove the region` });
      }
    });
  });

  const unique = (list: readonly { id: string }[], where: string) => {
    const seen = new Map<string, number>();
    list.forEach((x, i) => {
      if (seen.has(x.id)) err(`/${where}/${i}/id`, `id '${x.id}' is also used at /${where}/${seen.get(x.id)}; give each its own id`);
      seen.set(x.id, i);
    });
  };
  unique(c.checkers, 'checkers');
  unique(c.dnsNodes, 'dnsNodes');
  c.dnsNodes.forEach((n, i) => {
    for (const f of ['dns', 'admin'] as const) {
      const p = hostPortProblem(n[f]);
      if (p) err(`/dnsNodes/${i}/${f}`, p);
    }
  });
  return { errors, warnings };
}

/** Where a model finding points in the bundle config. */
function findingPath(c: BundleConfig, f: Finding): string {
  for (let i = 0; i < c.healthChecks.length; i++) {
    if (f.resource === `health check '${c.healthChecks[i].id}'`) return `/healthChecks/${i}`;
  }
  for (let i = 0; i < c.recordSets.length; i++) {
    const r = c.recordSets[i];
    if (f.resource === `record ${recordLabel({ ...r, name: normalizeName(r.name) })}` || f.resource === `record ${recordLabel(r)}`) return `/recordSets/${i}`;
  }
  for (let zi = 0; zi < c.zones.length; zi++) {
    const records = c.zones[zi].records ?? [];
    for (let i = 0; i < records.length; i++) {
      if (f.resource === `record ${normalizeName(records[i].name)} ${records[i].recordType}`) return `/zones/${zi}/records/${i}`;
    }
  }
  const group = /^record set group (\S+) (\S+)$/.exec(f.resource);
  if (group) {
    const i = c.recordSets.findIndex((r) => normalizeName(r.name) === group[1] && r.recordType === group[2]);
    if (i >= 0) return `/recordSets/${i}`;
  }
  return '';
}

/** The model a bundle config describes: its health checks, failover groups and static records. */
export function bundleToModel(c: BundleConfig): FailoverModel {
  const recordSets: RecordSetModel[] = [];
  for (const z of c.zones) {
    for (const r of z.records ?? []) {
      const { recordType, ttl, values } = r;
      recordSets.push({ hostedZoneName: normalizeName(z.name), name: normalizeName(r.name), recordType, ttl, values: [...values] });
    }
  }
  for (const r of c.recordSets) {
    const zone = r.hostedZoneName ?? zoneOf(c.zones, r.name)?.name;
    recordSets.push({ ...r, name: normalizeName(r.name), hostedZoneName: zone === undefined ? undefined : normalizeName(zone) });
  }
  const healthChecks: HealthCheckModel[] = c.healthChecks.map((h) => ({ ...h }));
  return { healthChecks, recordSets };
}

/** Validates parsed JSON as a bundle config and reports every problem, without throwing. */
export function checkBundleConfig(json: unknown): BundleCheck {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { errors: [{ path: '', message: `a bundle config is a JSON object, got ${show(json)}` }], warnings: [] };
  }
  const version = (json as Record<string, unknown>).version;
  if (version !== BUNDLE_CONFIG_VERSION) {
    const message = version === undefined
      ? `the bundle config has no version; add "version": ${BUNDLE_CONFIG_VERSION}`
      : `bundle config version ${show(version)} is not supported by this build, which reads version ${BUNDLE_CONFIG_VERSION}; synthesize the bundle with a matching cdk-dns-failover, or upgrade the server`;
    return { errors: [{ path: '/version', message }], warnings: [] };
  }
  const validate = schemaValidator();
  if (!validate(json)) return { errors: schemaProblems(validate.errors ?? []), warnings: [] };
  const config = json as unknown as BundleConfig;
  const own = bundleProblems(config);
  const model = bundleToModel(config);
  const findings = validateModel(model, SELF_HOSTED_CAPABILITIES);
  for (const g of groupRecords(model.recordSets)) findings.push(...failoverWarnings(g));
  const fromModel = (f: Finding): BundleProblem => ({ path: findingPath(config, f), message: `${f.resource}: ${f.message}`, rule: f.rule });
  // A bad value is reported once, by the bundle's own check that names the value's index.
  const valueReported = (p: BundleProblem) => p.rule === 'record/value' && own.errors.some((e) => e.path.startsWith(`${p.path}/values/`));
  const errors = [...own.errors, ...findings.filter((f) => f.severity === 'error').map(fromModel).filter((p) => !valueReported(p))];
  const warnings = [...own.warnings, ...findings.filter((f) => f.severity === 'warning').map(fromModel)];
  return errors.length > 0 ? { errors, warnings } : { config, errors, warnings };
}

/** Validates parsed JSON as a bundle config; throws {@link BundleConfigError} listing every problem. */
export function parseBundleConfig(json: unknown): BundleConfig {
  const result = checkBundleConfig(json);
  if (!result.config) throw new BundleConfigError(result.errors);
  return result.config;
}

/** Reads and validates a bundle config file. Errors name the file. */
export function readBundleConfigFile(file: string): BundleCheck {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { errors: [{ path: '', message: `cannot read ${file}: ${(e as Error).message}` }], warnings: [] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { errors: [{ path: '', message: `${file} is not valid JSON: ${(e as Error).message}` }], warnings: [] };
  }
  return checkBundleConfig(json);
}
