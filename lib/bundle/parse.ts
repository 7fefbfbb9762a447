/**
 * Reading a bundle config: JSON Schema first (structure), then the bundle's own rules (names inside
 * their zones, values, references), then the model's rules through `validateModel` with the
 * self-hosted target's capabilities. Every problem names its JSON path and the bad value.
 */
import { readFileSync } from 'fs';
import { isIPv6 } from 'net';
import * as path from 'path';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { checkerKeyName } from './keys';
import { BUNDLE_CONFIG_VERSION, BundleConfig, BundleZone } from './types';
import { parseRecordValue } from './values';
import {
  dnsNameProblem,
  failoverWarnings,
  FailoverModel,
  Finding,
  HealthCheckModel,
  LATENCY_REGIONS,
  normalizeName,
  parseCidrPrefix,
  PORT_RANGE,
  RecordSetModel,
  routingPolicyOf,
  TargetCapabilities,
  validateModelGroups,
} from '../model';

/** What the self-hosted target can express (see `TargetCapabilities`). */
export const SELF_HOSTED_CAPABILITIES: TargetCapabilities = {
  name: 'the self-hosted target',
  route53Limits: false,
  disabledHealthChecks: true,
  cloudWatchAlarmChecks: false,
  recoveryControlChecks: false,
  aliasToAwsResources: false,
};

/** Where the JSON Schema of the bundle config lies (shipped next to this module). */
export const BUNDLE_SCHEMA_PATH = path.join(__dirname, 'schema.json');

export interface BundleProblem {
  /** JSON Pointer into the config, for example `/zones/0/records/2/values/0`. */
  readonly path: string;
  /** What is wrong, naming the bad value. */
  readonly problem: string;
  /** What to do about it ('' when there is nothing to add). */
  readonly fix: string;
  /** Rendered from `problem` and `fix`. */
  readonly message: string;
  /** The model rule id, for problems found by `validateModel`. */
  readonly rule?: string;
}

/** A problem at `path`, its message rendered from its problem and fix. */
export function bundleProblem(at: string, problem: string, fix: string, rule?: string): BundleProblem {
  return { path: at, problem, fix, message: fix === '' ? problem : `${problem}; ${fix}`, ...(rule !== undefined ? { rule } : {}) };
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


/** The bundle config's JSON Schema (draft 2020-12). */
export function bundleSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(BUNDLE_SCHEMA_PATH, 'utf8'));
}

let validator: ValidateFunction | undefined;

/**
 * The schema compiled ahead of time by ajv (scripts/schema-validator.js): compiling it at every load
 * took 0.3 s and some 17 MB of memory that stayed resident. Loaded on first use (a CommonJS module
 * whose export is the validate function, with one helper of ajv's runtime): a synth that writes no
 * bundle (CloudFormation, Terraform) loads neither its 100 KB nor ajv.
 */
function schemaValidator(): ValidateFunction {
  // The type names the module, so that every compilation of lib/ (the benchmarks' too) emits it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  validator ??= require('./schema-validator') as typeof import('./schema-validator') as unknown as ValidateFunction;
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
      return bundleProblem(where, `unknown property '${e.params.additionalProperty}'`, 'remove it (check its spelling against the bundle config schema)');
    case 'required':
      return bundleProblem(where, `the required property '${e.params.missingProperty}' is missing`, 'add it');
    case 'enum':
      return bundleProblem(where, got, `use one of ${(e.params.allowedValues as unknown[]).map(show).join(', ')}`);
    case 'const':
      return bundleProblem(where, got, `it must be ${show(e.params.allowedValue)}`);
    case 'pattern':
      return bundleProblem(
        where,
        `${got}, which does not match ${e.params.pattern}`,
        where.endsWith('/dns') || where.endsWith('/admin') ? 'write host:port, [v6]:port for IPv6' : '',
      );
    default:
      return bundleProblem(where, `${e.message ?? e.keyword}, ${got}`, '');
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

/**
 * {@link zoneOf} for many names: the zones are indexed once, and a name is looked up by its suffixes
 * (one map lookup per label), so placing N records in Z zones costs O(N) rather than O(N x Z).
 */
export function zoneFinder<Z extends Pick<BundleZone, 'name'>>(zones: readonly Z[]): (name: string) => Z | undefined {
  const byName = new Map<string, Z>();
  for (const z of zones) {
    const zn = normalizeName(z.name);
    if (!byName.has(zn)) byName.set(zn, z); // the first of equal names, as zoneOf
  }
  return (name) => {
    let n = normalizeName(name);
    for (;;) {
      const z = byName.get(n);
      if (z !== undefined) return z;
      const dot = n.indexOf('.');
      if (dot < 0) return undefined;
      n = n.slice(dot + 1);
    }
  };
}

interface Problem {
  readonly problem: string;
  readonly fix: string;
}

function hostPortProblem(value: string): Problem | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value);
  const fix = 'write host:port, for example 127.0.0.1:5353, or [::1]:5353 for IPv6';
  if (!m) return { problem: `'${value}' is not host:port`, fix };
  const port = Number(m[3]);
  if (port < PORT_RANGE.min || port > PORT_RANGE.max) return { problem: `port ${port} in '${value}' is out of range`, fix: `use ${PORT_RANGE.min} to ${PORT_RANGE.max}` };
  if (m[1] !== undefined && !isIPv6(m[1])) return { problem: `'${m[1]}' in '${value}' is not an IPv6 address`, fix };
  return undefined;
}

function nameProblem(name: string, what: string): Problem | undefined {
  if (name.includes('*')) {
    return { problem: `${what} '${name}' is a wildcard`, fix: 'wildcard names are not served by the self-hosted DNS server yet, list the names explicitly' };
  }
  const p = dnsNameProblem(name);
  return p ? { problem: `${what} '${name}' is not a valid DNS name: ${p}`, fix: 'give a name such as www.example.com (letters, digits and \'-\', labels of at most 63 characters)' } : undefined;
}

/** The bundle's own rules, past the schema. */
function bundleProblems(c: BundleConfig): { errors: BundleProblem[]; warnings: BundleProblem[] } {
  const errors: BundleProblem[] = [];
  const warnings: BundleProblem[] = [];
  const err = (p: string, problem: string, fix: string) => errors.push(bundleProblem(p, problem, fix));
  const errOf = (p: string, found: Problem | undefined) => {
    if (found) err(p, found.problem, found.fix);
  };

  const zoneNames = new Map<string, number>();
  c.zones.forEach((z, zi) => {
    const zp = `/zones/${zi}`;
    errOf(`${zp}/name`, nameProblem(z.name, 'zone name'));
    const zn = normalizeName(z.name);
    if (zoneNames.has(zn)) err(`${zp}/name`, `zone '${z.name}' is also defined at /zones/${zoneNames.get(zn)}`, 'define each zone once');
    zoneNames.set(zn, zi);
    for (const f of ['mname', 'rname'] as const) {
      errOf(`${zp}/soa/${f}`, nameProblem(z.soa[f], `SOA ${f}`));
    }
    const seenNs = new Set<string>();
    z.nameServers.forEach((ns, i) => {
      errOf(`${zp}/nameServers/${i}`, nameProblem(ns, 'name server'));
      if (seenNs.has(normalizeName(ns))) err(`${zp}/nameServers/${i}`, `name server '${ns}' is listed twice`, 'list each once');
      seenNs.add(normalizeName(ns));
    });
    (z.records ?? []).forEach((r, ri) => {
      const rp = `${zp}/records/${ri}`;
      const p = nameProblem(r.name, 'record name');
      if (p) errOf(`${rp}/name`, p);
      else if (!inZone(normalizeName(r.name), zn)) err(`${rp}/name`, `record name '${r.name}' is outside zone '${z.name}'`, `use a name ending in '${zn}', or put the record in the zone that holds it`);
      else if (normalizeName(r.name) === zn && r.recordType === 'CNAME') err(`${rp}/recordType`, `a CNAME at the zone apex '${z.name}' would conflict with its SOA and NS records`, 'use A/AAAA records at the apex');
      r.values.forEach((v, vi) => {
        const res = parseRecordValue(r.recordType, v);
        if (!res.ok) err(`${rp}/values/${vi}`, res.problem, res.fix);
      });
    });
  });

  const hcIds = new Set(c.healthChecks.map((h) => h.id));
  const zoneFor = zoneFinder(c.zones);
  c.recordSets.forEach((r, ri) => {
    const rp = `/recordSets/${ri}`;
    if (routingPolicyOf(r) === 'simple') {
      err(rp, `record '${r.name}' ${r.recordType} [${r.setIdentifier}] has no routing policy`, 'give it a weight, a failover role or multiValueAnswer, or put a plain record in /zones/N/records');
    }
    const p = nameProblem(r.name, 'record name');
    if (p) {
      errOf(`${rp}/name`, p);
    } else if (r.hostedZoneName !== undefined) {
      const zn = normalizeName(r.hostedZoneName);
      if (!zoneNames.has(zn)) err(`${rp}/hostedZoneName`, `zone '${r.hostedZoneName}' is not one of the configured zones (${[...zoneNames.keys()].join(', ')})`, 'add it to /zones or fix the name');
      else if (!inZone(normalizeName(r.name), zn)) err(`${rp}/name`, `record name '${r.name}' is outside its zone '${r.hostedZoneName}'`, `use a name ending in '${zn}', or name the zone that holds it`);
    } else if (!zoneFor(r.name)) {
      err(`${rp}/name`, `record name '${r.name}' is in none of the configured zones (${[...zoneNames.keys()].join(', ')})`, 'add its zone to /zones');
    }
    if (r.healthCheckId !== undefined && !hcIds.has(r.healthCheckId)) {
      err(`${rp}/healthCheckId`, `health check '${r.healthCheckId}' is not defined in /healthChecks`, 'add it or fix the id');
    }
    r.values.forEach((v, vi) => {
      const res = parseRecordValue(r.recordType, v);
      if (!res.ok) err(`${rp}/values/${vi}`, res.problem, res.fix);
    });
  });

  const regions = new Set(c.checkers.map((k) => k.region));
  c.healthChecks.forEach((h, hi) => {
    (h.config.childHealthChecks ?? []).forEach((child, ci) => {
      if (!hcIds.has(child)) err(`/healthChecks/${hi}/config/childHealthChecks/${ci}`, `child health check '${child}' is not defined in /healthChecks`, 'add it or fix the id');
    });
    (h.config.regions ?? []).forEach((region, ri) => {
      if (!regions.has(region)) {
        warnings.push(bundleProblem(
          `/healthChecks/${hi}/config/regions/${ri}`,
          `no configured checker runs in region '${region}', so it never reports on '${h.id}'`,
          'add a checker there or remove the region',
        ));
      }
    });
  });

  const unique = (list: readonly { id: string }[], where: string) => {
    const seen = new Map<string, number>();
    list.forEach((x, i) => {
      if (seen.has(x.id)) err(`/${where}/${i}/id`, `id '${x.id}' is also used at /${where}/${seen.get(x.id)}`, 'give each its own id');
      seen.set(x.id, i);
    });
  };
  unique(c.checkers, 'checkers');
  const keyNames = new Map<string, number>();
  c.checkers.forEach((k, i) => {
    const name = checkerKeyName(k);
    const other = keyNames.get(name);
    if (other !== undefined) {
      err(`/checkers/${i}${k.keyName !== undefined ? '/keyName' : ''}`, `checker '${k.id}' would use the key '${name}' of /checkers/${other}`, 'give every checker a key of its own (a distinct keyName)');
    }
    keyNames.set(name, i);
  });
  unique(c.dnsNodes, 'dnsNodes');
  unique(c.cidrCollections ?? [], 'cidrCollections');
  const collections = new Set((c.cidrCollections ?? []).map((x) => x.id));
  c.recordSets.forEach((r, i) => {
    const id = r.cidrRoutingConfig?.collectionId;
    if (id !== undefined && !collections.has(id)) {
      err(
        `/recordSets/${i}/cidrRoutingConfig/collectionId`,
        `the record names CIDR collection '${id}', which this bundle does not hold (its collections: ${[...collections].join(', ') || 'none'})`,
        'a DNS node routes only by collections it holds: declare the collection in the stack (new CidrCollection, or the gateway\'s own)',
      );
    }
  });
  // Latency: regions of one's own are named once, and the latency map names known regions and blocks.
  const ownRegions = new Map<string, number>();
  (c.regions ?? []).forEach((r, i) => {
    if (ownRegions.has(r.name)) err(`/regions/${i}/name`, `region '${r.name}' is also defined at /regions/${ownRegions.get(r.name)}`, 'define each region once');
    ownRegions.set(r.name, i);
  });
  const knownRegion = (name: string) => ownRegions.has(name) || (LATENCY_REGIONS as readonly string[]).includes(name);
  (c.latencyMap ?? []).forEach((e, i) => {
    const block = parseCidrPrefix(e.cidr);
    if (!block) err(`/latencyMap/${i}/cidr`, `'${e.cidr}' is not a CIDR block`, 'write a block such as 203.0.113.0/24 or 2001:db8::/48');
    else if (!block.network) err(`/latencyMap/${i}/cidr`, `'${e.cidr}' has bits set beyond its /${block.prefix} prefix`, `write the network address, ${block.canonical}`);
    e.regions.forEach((r, j) => {
      if (!knownRegion(r)) err(`/latencyMap/${i}/regions/${j}`, `region '${r}' is neither one of the config's regions nor an AWS region`, 'define it under regions (with its position), or name an AWS region');
    });
  });
  c.dnsNodes.forEach((n, i) => {
    for (const f of ['dns', 'admin'] as const) {
      errOf(`/dnsNodes/${i}/${f}`, hostPortProblem(n[f]));
    }
  });
  return { errors, warnings };
}

/**
 * Where model findings point in the bundle config, by their subject: the first health check, record
 * set or static record that matches. The config is indexed once, at the first finding, so that a
 * warning on every one of N gateways costs O(N), not O(N²).
 */
function findingPaths(c: BundleConfig): (f: Finding) => string {
  let index: { checks: Map<string, string>; records: Map<string, string>; statics: Map<string, string>; groups: Map<string, string> } | undefined;
  const first = (map: Map<string, string>, key: string, at: string) => {
    if (!map.has(key)) map.set(key, at);
  };
  const build = () => {
    const checks = new Map<string, string>();
    const records = new Map<string, string>();
    const statics = new Map<string, string>();
    const groups = new Map<string, string>();
    c.healthChecks.forEach((h, i) => first(checks, h.id, `/healthChecks/${i}`));
    c.recordSets.forEach((r, i) => {
      const name = normalizeName(r.name);
      first(records, `${name}|${r.recordType}|${r.setIdentifier ?? ''}|${r.setIdentifier === undefined}`, `/recordSets/${i}`);
      first(groups, `${name}|${r.recordType}`, `/recordSets/${i}`);
    });
    c.zones.forEach((z, zi) => (z.records ?? []).forEach((r, ri) => first(statics, `${normalizeName(r.name)}|${r.recordType}`, `/zones/${zi}/records/${ri}`)));
    return { checks, records, statics, groups };
  };
  return (f) => {
    const s = f.subject;
    if (s.kind === 'artifact') return '';
    index ??= build();
    switch (s.kind) {
      case 'health-check':
        return index.checks.get(s.id) ?? '';
      case 'record': {
        const name = normalizeName(s.name);
        const set = index.records.get(`${name}|${s.recordType}|${s.setIdentifier ?? ''}|${s.setIdentifier === undefined}`);
        if (set !== undefined) return set;
        return s.setIdentifier === undefined ? index.statics.get(`${name}|${s.recordType}`) ?? '' : '';
      }
      case 'group':
        return index.groups.get(`${s.name}|${s.recordType}`) ?? '';
    }
  };
}

/** The model a bundle config describes: its health checks, failover groups and static records. */
export function bundleToModel(c: BundleConfig): FailoverModel {
  return modelOf(c, true);
}

/**
 * The model of a config. `copy`: every record set and health check is an object of its own (what
 * `bundleToModel` gives its callers); otherwise a record set already in the model's form (a name and
 * zone name in the model's spelling, as a synthesized bundle has them) and every health check are the
 * config's own objects, for a check that only reads them (no copy of every record at every load).
 */
function modelOf(c: BundleConfig, copy: boolean): FailoverModel {
  const recordSets: RecordSetModel[] = [];
  for (const z of c.zones) {
    for (const r of z.records ?? []) {
      const { recordType, ttl, values } = r;
      recordSets.push({ hostedZoneName: normalizeName(z.name), name: normalizeName(r.name), recordType, ttl, values: [...values] });
    }
  }
  const zoneFor = zoneFinder(c.zones);
  for (const r of c.recordSets) {
    const zone = r.hostedZoneName ?? zoneFor(r.name)?.name;
    const name = normalizeName(r.name);
    const hostedZoneName = zone === undefined ? undefined : normalizeName(zone);
    recordSets.push(!copy && name === r.name && hostedZoneName === r.hostedZoneName ? r : Object.assign({}, r, { name, hostedZoneName }));
  }
  const healthChecks: HealthCheckModel[] = copy ? c.healthChecks.map((h) => ({ ...h })) : [...c.healthChecks];
  return { healthChecks, recordSets, ...(c.cidrCollections && c.cidrCollections.length > 0 ? { cidrCollections: c.cidrCollections } : {}) };
}

/** The self-hosted target's capabilities for a config: latency records may name its own regions. */
export function capabilitiesOf(c: Pick<BundleConfig, 'regions'>): TargetCapabilities {
  const own = (c.regions ?? []).map((r) => r.name);
  return own.length > 0 ? { ...SELF_HOSTED_CAPABILITIES, ownRegions: own } : SELF_HOSTED_CAPABILITIES;
}

/** Validates parsed JSON as a bundle config and reports every problem, without throwing. */
export function checkBundleConfig(json: unknown): BundleCheck {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { errors: [bundleProblem('', `a bundle config is a JSON object, got ${show(json)}`, 'give the JSON object of a config.json')], warnings: [] };
  }
  const version = (json as Record<string, unknown>).version;
  if (version !== BUNDLE_CONFIG_VERSION) {
    const problem = version === undefined
      ? bundleProblem('/version', 'the bundle config has no version', `add "version": ${BUNDLE_CONFIG_VERSION}`)
      : bundleProblem(
        '/version',
        `bundle config version ${show(version)} is not supported by this build, which reads version ${BUNDLE_CONFIG_VERSION}`,
        'synthesize the bundle with a matching cdk-dns-failover, or upgrade the server',
      );
    return { errors: [problem], warnings: [] };
  }
  const validate = schemaValidator();
  if (!validate(json)) return { errors: schemaProblems(validate.errors ?? []), warnings: [] };
  const config = json as unknown as BundleConfig;
  const own = bundleProblems(config);
  const model = modelOf(config, false);
  const { findings, groups } = validateModelGroups(model, capabilitiesOf(config));
  for (const g of groups) findings.push(...failoverWarnings(g));
  const findingPath = findingPaths(config);
  const fromModel = (f: Finding): BundleProblem => bundleProblem(findingPath(f), `${f.resource}: ${f.problem}`, f.fix, f.rule);
  // A bad value is reported once, by the bundle's own check that names the value's index.
  const badValues = new Set(own.errors.filter((e) => /\/values\/\d+$/.test(e.path)).map((e) => e.path.replace(/\/values\/\d+$/, '')));
  const valueReported = (p: BundleProblem) => p.rule === 'record/value' && badValues.has(p.path);
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
    return { errors: [bundleProblem('', `cannot read ${file}: ${(e as Error).message}`, 'give the path of a bundle directory\'s config.json')], warnings: [] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { errors: [bundleProblem('', `${file} is not valid JSON: ${(e as Error).message}`, 'synthesize the bundle again, or fix the JSON')], warnings: [] };
  }
  return checkBundleConfig(json);
}
