/**
 * Synthesis of a self-hosted stack: the rendered model plus the stack's settings become a bundle
 * config (validated with `checkBundleConfig`: JSON Schema, bundle rules, model rules), and the
 * files of the bundle directory.
 */
import * as fs from 'fs';
import * as path from 'path';
import { IConstruct } from 'constructs';
import { BUNDLE_FILES, renderDockerfile, renderDockerignore } from './files';
import { kubernetesManifests } from './kubernetes';
import { renderBundleReadme } from './readme';
import { BundleContext, BundleSettings, defaultZone, StackSettings, ZoneSettings } from './settings';
import { systemdUnits } from './systemd';
import { SelfHostedTarget, WARNING_METADATA } from './target';
import { toYamlDocuments } from './yaml';
import {
  BUNDLE_CONFIG_VERSION,
  BundleConfig,
  BundleProblem,
  BundleStaticRecord,
  BundleZone,
  checkBundleConfig,
  formatProblem,
  StaticRecordType,
  zoneFinder,
} from '../../bundle';
import { freshnessMsFor } from '../../engine';
import {
  DEFAULT_NAME_SERVER_TTL,
  DEFAULT_SOA,
  FailoverModel,
  HealthCheckModel,
  healthThresholdOf,
  isAliasInZone,
  isUnresolved,
  normalizeName,
  qualifyName,
  recordLabel,
  RecordSetModel,
} from '../../model';

/** The bundle in memory. */
export interface BundleSynthesis {
  /** The bundle config, when there are no problems. */
  readonly config?: BundleConfig;
  /** The model this stack renders: what the gateways handed over, with each record in its served zone. */
  readonly model: FailoverModel;
  /** Relative path → content; empty when there are problems. */
  readonly files: ReadonlyMap<string, string>;
  /** Errors: synthesis refuses to write the bundle while there are any. */
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

/** The version of this library (written into the bundle so that a reader knows who wrote it). */
export function libraryVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function bundleZone(z: ZoneSettings): BundleZone {
  const records: BundleStaticRecord[] = z.records.map((r) => ({
    name: qualifyName(r.recordName, z.zoneName),
    recordType: r.recordType as StaticRecordType,
    ttl: r.ttl,
    values: [...r.values],
  }));
  return {
    name: z.zoneName,
    soa: {
      mname: z.mname,
      rname: z.rname,
      serial: z.serial,
      refresh: z.refresh ?? DEFAULT_SOA.refresh,
      retry: z.retry ?? DEFAULT_SOA.retry,
      expire: z.expire ?? DEFAULT_SOA.expire,
      minimum: z.minimum ?? DEFAULT_SOA.minimum,
      ttl: z.soaTtl ?? DEFAULT_SOA.ttl,
    },
    nameServers: [...z.nameServers],
    nameServerTtl: z.nameServerTtl ?? DEFAULT_NAME_SERVER_TTL,
    ...(records.length > 0 ? { records } : {}),
  };
}

/** A JSON copy without undefined fields (what `config.json` holds). */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

function unresolvedFields(value: Record<string, unknown>): string[] {
  return Object.entries(value).filter(([, v]) => isUnresolved(v)).map(([k, v]) => `${k} (${JSON.stringify(v)})`);
}

const TOKEN_FIX = 'the self-hosted target writes literal values only and cannot resolve a value known at deployment; give a literal';

/** A bundle config built from a model, or the problems that stop it. */
export interface BundleConfigBuild {
  /** The bundle config, when there are no problems. */
  readonly config?: BundleConfig;
  /** The model the config serves: its health checks, and each record in its served zone. */
  readonly model: FailoverModel;
  /** Errors, each naming the resource, the value and the fix. */
  readonly problems: readonly string[];
  /** Warnings of the bundle config's own check. */
  readonly warnings: readonly string[];
}

/**
 * The bundle config of a model (health checks and record sets, as a stack's constructs render them or
 * as the drill plans them) under a stack's settings: the zones served (given, or one per zone the
 * records name), every record placed in its zone, literal values only, checkers for every region a
 * check is limited to, the verdict settings, then the bundle config's own check (schema, bundle rules,
 * model rules). Never throws for a problem of the model: it lists it.
 */
export function bundleConfigOf(rendered: FailoverModel, settings: BundleSettings): BundleConfigBuild {
  const problems: string[] = [];

  // Zones: as given, or the ones the gateways name.
  const zoneSettings = [...settings.zones];
  if (!settings.zonesGiven) {
    const named = new Set(zoneSettings.map((z) => z.zoneName));
    for (const r of rendered.recordSets) {
      if (r.hostedZoneName === undefined || isUnresolved(r.hostedZoneName)) continue;
      const name = normalizeName(r.hostedZoneName);
      if (!named.has(name)) {
        named.add(name);
        zoneSettings.push(defaultZone(name, settings));
      }
    }
  }
  const zones = zoneSettings.map(bundleZone);
  const zoneList = zones.map((z) => z.name).join(', ') || 'none';
  const zoneNames = new Set(zones.map((z) => z.name));
  const zoneFor = zoneFinder(zones);

  // Records: each in the zone that serves it, named by that zone's name.
  const groupRecords: RecordSetModel[] = [];
  for (const r of rendered.recordSets) {
    const label = `record ${recordLabel(r)}`;
    const tokens = unresolvedFields({
      name: r.name, values: r.values, ttl: r.ttl, weight: r.weight, setIdentifier: r.setIdentifier, region: r.region, alias: r.aliasTarget?.dnsName,
    });
    if (tokens.length > 0) {
      problems.push(`${label}: ${tokens.join(', ')}: ${TOKEN_FIX}`);
      continue;
    }
    let zone: string | undefined;
    if (r.hostedZoneName !== undefined && !isUnresolved(r.hostedZoneName)) {
      zone = normalizeName(r.hostedZoneName);
      if (!zoneNames.has(zone)) {
        problems.push(`${label}: its zone '${zone}' is not one of the zones of this stack (${zoneList}); add { zoneName: '${zone}' } to the stack's zones`);
        continue;
      }
    } else {
      zone = zoneFor(r.name)?.name;
      if (zone === undefined) {
        const by = r.hostedZoneId !== undefined ? `hosted zone id '${r.hostedZoneId}'` : 'no zone name';
        problems.push(`${label}: the gateway names its zone by ${by}, and none of this stack's zones (${zoneList}) contains '${r.name}'; list the zone in the stack's zones (for example { zoneName: '${r.name.split('.').slice(-2).join('.')}' })`);
        continue;
      }
    }
    // An alias into the record's own zone names that zone by name, as the record does; an alias to an
    // AWS resource stays as it is, and the model's rules refuse it (Route 53 only).
    const alias = r.aliasTarget && isAliasInZone(r)
      ? { dnsName: normalizeName(r.aliasTarget.dnsName), hostedZoneName: zone, evaluateTargetHealth: r.aliasTarget.evaluateTargetHealth }
      : r.aliasTarget;
    const placed: RecordSetModel = { ...r, hostedZoneName: zone, ...(alias ? { aliasTarget: alias } : {}) };
    delete (placed as { hostedZoneId?: string }).hostedZoneId;
    groupRecords.push(placed);
  }

  // Health checks: literal values, and at least one checker for a check limited to regions.
  const regions = new Set(settings.checkers.map((c) => c.region));
  const healthChecks: HealthCheckModel[] = [];
  for (const h of rendered.healthChecks) {
    const tokens = unresolvedFields({ ...h.config } as Record<string, unknown>);
    if (tokens.length > 0) {
      problems.push(`health check '${h.id}': ${tokens.join(', ')}: ${TOKEN_FIX}`);
      continue;
    }
    const listed = h.config.regions;
    if (listed !== undefined && listed.length > 0 && !listed.some((r) => regions.has(r))) {
      problems.push(`health check '${h.id}': it is probed only from regions ${listed.join(', ')}, where no checker of this stack runs (checkers run in ${[...regions].join(', ')}), so nothing would ever report on it; add a checker in one of those regions, or leave regions unset to be probed by every checker`);
    }
    // A calculated check's threshold is always written (the model's one meaning of a missing one).
    healthChecks.push(h.config.type === 'CALCULATED' ? { ...h, config: { ...h.config, healthThreshold: healthThresholdOf(h.config) } } : h);
  }

  const config: BundleConfig = plain({
    version: BUNDLE_CONFIG_VERSION,
    zones,
    healthChecks,
    recordSets: groupRecords,
    verdict: { healthyFraction: settings.healthyFraction, freshnessMs: settings.freshnessMs ?? freshnessMsFor(healthChecks) },
    checkers: settings.checkers.map((c) => ({ id: c.id, region: c.region, ...(c.keyName !== undefined ? { keyName: c.keyName } : {}) })),
    dnsNodes: settings.dnsNodes.map((n) => ({ id: n.id, dns: n.dns, admin: n.admin, ...(n.ignoreClientSubnet ? { ignoreClientSubnet: true } : {}) })),
    ...(rendered.cidrCollections && rendered.cidrCollections.length > 0 ? { cidrCollections: rendered.cidrCollections } : {}),
    ...(settings.geoipDatabase !== undefined ? { geoip: { database: settings.geoipDatabase } } : {}),
    ...(settings.regions && settings.regions.length > 0 ? { regions: settings.regions } : {}),
    ...(settings.latencyMap && settings.latencyMap.length > 0 ? { latencyMap: settings.latencyMap } : {}),
  } as BundleConfig);

  const staticRecords: RecordSetModel[] = zones.flatMap((z) =>
    (z.records ?? []).map((r) => ({
      hostedZoneName: z.name, name: normalizeName(r.name), recordType: r.recordType, ttl: r.ttl, values: [...r.values],
    })),
  );
  const model: FailoverModel = {
    healthChecks: rendered.healthChecks,
    recordSets: [...staticRecords, ...groupRecords],
    ...(rendered.cidrCollections && rendered.cidrCollections.length > 0 ? { cidrCollections: rendered.cidrCollections } : {}),
  };

  if (zones.length === 0) {
    problems.push('the stack serves no zone: add a gateway (its zone is served), or list zones in the stack\'s props');
  }
  if (problems.length > 0) return { model, problems, warnings: [] };

  const check = checkBundleConfig(config);
  const where = (p: BundleProblem) => `config.json${formatProblem(p).trim()}`;
  if (check.errors.length > 0) return { model, problems: check.errors.map(where), warnings: [] };
  const geoip = geoipCheck(config);
  if (geoip.problem) return { model, problems: [geoip.problem], warnings: [] };
  return { config, model, problems: [], warnings: [...check.warnings.map(where), ...(geoip.warning ? [geoip.warning] : [])] };
}

/**
 * The GeoIP database a geolocation or latency tree reads, checked at synth when it can be: a database
 * file on this machine is opened and checked (a missing file is the DNS nodes' to have: a warning).
 */
function geoipCheck(config: BundleConfig): { problem?: string; warning?: string } {
  const file = config.geoip?.database;
  const needed = config.recordSets.some((r) => r.geoLocation !== undefined || r.region !== undefined);
  if (file === undefined || !needed) return {};
  if (!fs.existsSync(file)) {
    return { warning: `config.json/geoip/database: ${file} is not on this machine; a DNS node checks it when it starts, and refuses to start without a usable database` };
  }
  // Loaded here only: the reader is needed by a stack that names its own database.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GeoIpDatabase } = require('../../bundle/geoip') as typeof import('../../bundle/geoip');
  try {
    GeoIpDatabase.open(file);
    return {};
  } catch (e) {
    return { problem: `config.json/geoip/database: ${(e as Error).message}` };
  }
}

/** Builds the bundle of a stack; never throws for a problem of the stack, it lists it. */
export function synthesizeBundle(settings: StackSettings, target: SelfHostedTarget, stack: IConstruct): BundleSynthesis {
  const built = bundleConfigOf(target.renderedModel, settings);
  const constructWarnings = stack.node.findAll().flatMap((c) =>
    c.node.metadata.filter((m) => m.type === WARNING_METADATA).map((m) => `${c.node.path}: ${m.data}`),
  );
  const { config, model } = built;
  if (!config) return { model, files: new Map(), problems: built.problems, warnings: [...settings.warnings.map((w) => `${stack.node.path}: ${w}`), ...constructWarnings] };
  const warnings = [...settings.warnings.map((w) => `${stack.node.path}: ${w}`), ...constructWarnings, ...built.warnings];
  const version = libraryVersion();
  const context: BundleContext = { config, settings, stackPath: stack.node.path, version, warnings };
  const files = new Map<string, string>();
  files.set(BUNDLE_FILES.config, `${JSON.stringify(config, null, 2)}\n`);
  files.set(BUNDLE_FILES.kubernetes, toYamlDocuments(kubernetesManifests(context)));
  for (const [name, text] of systemdUnits(context)) files.set(`${BUNDLE_FILES.systemdDirectory}/${name}`, text);
  files.set(BUNDLE_FILES.dockerfile, renderDockerfile(version));
  files.set(BUNDLE_FILES.dockerignore, renderDockerignore());
  files.set(BUNDLE_FILES.readme, renderBundleReadme(context));
  return { config, model, files, problems: [], warnings };
}

/**
 * Writes a synthesized bundle into `dir`. The directories the bundle owns (`kubernetes/`, `systemd/`)
 * are replaced, so a node or checker removed from the stack leaves no unit behind; other files in
 * `dir` are left alone.
 */
export function writeBundle(dir: string, synthesis: BundleSynthesis): void {
  if (synthesis.problems.length > 0) {
    throw new Error(`the self-hosted bundle has errors, nothing was written to ${dir}:\n${synthesis.problems.join('\n')}`);
  }
  fs.mkdirSync(dir, { recursive: true });
  for (const owned of [BUNDLE_FILES.systemdDirectory, path.dirname(BUNDLE_FILES.kubernetes)]) {
    fs.rmSync(path.join(dir, owned), { recursive: true, force: true });
  }
  for (const [rel, text] of synthesis.files) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}
