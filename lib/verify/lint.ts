/**
 * The verifier's lint: every finding of the model rules (`validateModel` with the target's
 * capabilities, and `failoverWarnings` per group: the same rules the renderers enforce at synth),
 * plus the verifier's own rules below, which look at how the configuration will fail over. Each
 * finding has a stable rule id, the resource, the problem and the fix.
 *
 * Rules that belong to the model (TTL above 60 s, members without a health check, one endpoint only,
 * mixed TTLs, private addresses checked by Route 53, a search string longer than 255 characters) are
 * reported by the model under its own ids (`group/ttl-above-60`, `group/member-without-check`,
 * `group/single-endpoint`, `group/mixed-ttl`, `health-check/private-address`,
 * `health-check/search-string`); the verifier never re-implements them.
 */
import { checkClosure, findingGateways, Gateway, GatewayMember, gatewaysOf } from './gateways';
import { ArtifactSource } from './source';
import {
  CLOUDFORMATION_RESOURCE_LIMIT,
  failoverWarnings,
  finding,
  Finding,
  FindingSubject,
  groupSubject,
  HealthCheckModel,
  healthCheckSubject,
  isEndpointCheckType,
  isHttpsCheck,
  matchesString,
  MAX_SEARCH_STRING,
  normalizeName,
  SEARCH_WINDOW_BYTES,
  Severity,
  validateModel,
} from '../model';

/** A lint finding: a model or verifier finding, with the gateways it concerns. */
export interface LintFinding extends Finding {
  /** `model`: a rule of lib/model (the renderers enforce it too); `verify`: a rule of the verifier; `reader`: the artifact's reader. */
  readonly origin: 'model' | 'verify' | 'reader';
  /** The gateways (`name type`) it concerns; empty for the artifact as a whole. */
  readonly gateways: readonly string[];
}

export interface VerifyRule {
  readonly id: string;
  /** The severity it fires with (the resource-limit rule is a warning near the limit and an error above it). */
  readonly severity: Severity;
  readonly summary: string;
}

/** From this many resources on, the verifier warns that the stack is near the limit. */
export const CLOUDFORMATION_RESOURCE_WARNING = 450;
/** Fewer checkers than this make a self-hosted verdict depend on one machine's network. */
export const MIN_RECOMMENDED_CHECKERS = 3;

/** The verifier's own rules (the model's rules are documented in lib/model/validate.ts). */
export const VERIFY_RULES: readonly VerifyRule[] = [
  { id: 'verify/check-probes-own-record', severity: 'error', summary: 'a health check without an IP address probes the very name it guards: its result is unpredictable' },
  { id: 'verify/all-weights-zero', severity: 'warning', summary: 'every member of a weighted gateway has weight 0: all are answered with equal probability' },
  { id: 'verify/failure-threshold-one', severity: 'warning', summary: 'failure threshold 1: one slow or failed probe takes the member out (flaps under brief overload)' },
  {
    id: 'verify/https-without-sni',
    severity: 'warning',
    summary: 'HTTPS check that sends no SNI although a host name exists (SNI turned off, or no FQDN on a host-name member): servers with several certificates fail the handshake',
  },
  { id: 'verify/search-string-unreadable', severity: 'error', summary: `a search string that cannot lie inside the ${SEARCH_WINDOW_BYTES.toLocaleString('en-US')} bytes of body Route 53 reads` },
  { id: 'verify/search-string-in-headers', severity: 'warning', summary: 'a search string that looks like a status line or header: only the body is searched' },
  { id: 'verify/search-string-whitespace', severity: 'warning', summary: 'a search string with leading or trailing white space, matched literally' },
  { id: 'verify/failover-same-address', severity: 'error', summary: 'primary and secondary answer with, or are checked on, the same address: there is nothing to fail over to' },
  { id: 'verify/duplicate-member-address', severity: 'warning', summary: 'two members of a gateway answer with the same value' },
  { id: 'verify/stack-resource-limit', severity: 'error', summary: `CloudFormation stack at or near the limit of ${CLOUDFORMATION_RESOURCE_LIMIT} resources (warning from ${CLOUDFORMATION_RESOURCE_WARNING})` },
  { id: 'verify/unused-health-check', severity: 'warning', summary: 'a health check that guards no record and is no child of a calculated check (it is billed, or probed, for nothing)' },
  { id: 'verify/disabled-health-check', severity: 'warning', summary: 'a disabled health check: the member is never taken out (or, inverted, never answered)' },
  { id: 'verify/few-checkers', severity: 'warning', summary: `self-hosted bundle with fewer than ${MIN_RECOMMENDED_CHECKERS} checkers: one checker's network decides alone` },
];

interface OwnFinding {
  readonly severity: Severity;
  readonly rule: string;
  readonly subject: FindingSubject;
  readonly problem: string;
  readonly fix: string;
  readonly gateways: readonly string[];
}

/** A status line, or a line that starts with a common response header's name. */
const HEADER_LIKE = /^HTTP\/\d(\.\d)?\s|^(content-[a-z-]+|server|location|set-cookie|cache-control|date|connection|transfer-encoding|etag|last-modified|www-authenticate|x-[a-z0-9-]+):/i;

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

/** The verifier's own rules over one artifact. */
/** What a member answers: its values, or the name its alias points at. */
function answersOf(m: GatewayMember): string[] {
  const alias = m.record.aliasTarget;
  return alias ? [`alias ${normalizeName(alias.dnsName)}`] : m.record.values.map(normalizeName);
}

function ownRules(source: ArtifactSource, gateways: readonly Gateway[]): OwnFinding[] {
  const out: OwnFinding[] = [];
  const model = source.model;
  const checks = new Map(model.healthChecks.map((h) => [h.id, h]));
  const guarded = new Map<string, Set<string>>();
  for (const g of gateways) {
    for (const m of g.members) {
      if (m.record.healthCheckId === undefined) continue;
      for (const id of checkClosure(m.record.healthCheckId, checks)) {
        if (!guarded.has(id)) guarded.set(id, new Set());
        guarded.get(id)!.add(g.key);
      }
    }
  }
  const gatewaysOfCheck = (id: string) => [...(guarded.get(id) ?? [])];
  /** Host names (CNAME values) of the members each check guards directly. */
  const hostNameMembers = new Map<string, string[]>();
  for (const g of gateways) {
    if (g.recordType !== 'CNAME') continue;
    for (const m of g.members) {
      const id = m.record.healthCheckId;
      if (id === undefined) continue;
      hostNameMembers.set(id, [...(hostNameMembers.get(id) ?? []), ...m.record.values.map(normalizeName)]);
    }
  }

  // Per gateway.
  for (const g of gateways) {
    const group = groupSubject(g.group);
    for (const m of g.members) {
      if (!m.record.healthCheckId) continue;
      for (const id of checkClosure(m.record.healthCheckId, checks)) {
        const c = checks.get(id)?.config;
        if (!c || c.ipAddress !== undefined || c.fullyQualifiedDomainName === undefined) continue;
        if (normalizeName(c.fullyQualifiedDomainName) === g.name) {
          out.push({
            severity: 'error',
            rule: 'verify/check-probes-own-record',
            subject: healthCheckSubject(id),
            problem: `it has no IP address and probes ${g.name}, the name it guards (member '${m.setIdentifier}'): each probe resolves the gateway itself and reaches whichever member is answered, so its result is unpredictable`,
            fix: `give the check the member's own address (ipAddress ${m.record.values[0] ?? ''}, keeping the name as Host header) or a per-member host name`,
            gateways: [g.key],
          });
        }
      }
    }
    if (g.policy === 'weighted' && g.members.length > 1 && g.members.every((m) => (m.record.weight ?? 0) === 0)) {
      out.push({
        severity: 'warning',
        rule: 'verify/all-weights-zero',
        subject: group,
        problem: `all ${g.members.length} members have weight 0, so Route 53 answers each with equal probability (weight 0 usually means a standby)`,
        fix: 'give the active members a weight above 0 and keep 0 for standbys only, or use a MultiValueGateway to answer all members',
        gateways: [g.key],
      });
    }
    if (g.policy === 'failover') {
      const primary = g.members.find((m) => m.record.failover === 'PRIMARY');
      const secondary = g.members.find((m) => m.record.failover === 'SECONDARY');
      if (primary && secondary) {
        const pv = answersOf(primary).sort().join(',');
        const sv = answersOf(secondary).sort().join(',');
        const target = (hc?: HealthCheckModel) => {
          const c = hc?.config;
          if (!c || (c.ipAddress === undefined && c.fullyQualifiedDomainName === undefined)) return undefined;
          return `${c.type} ${c.ipAddress ?? normalizeName(c.fullyQualifiedDomainName!)}:${c.port ?? ''}${c.resourcePath ?? ''}`;
        };
        const pt = target(primary.healthCheck);
        const st = target(secondary.healthCheck);
        if (pv !== '' && pv === sv) {
          out.push({
            severity: 'error',
            rule: 'verify/failover-same-address',
            subject: group,
            problem: `primary '${primary.setIdentifier}' and secondary '${secondary.setIdentifier}' both answer ${answersOf(primary).join(', ')}: a failover sends clients to the same place`,
            fix: 'point the secondary at another endpoint (another machine, ISP or region)',
            gateways: [g.key],
          });
        } else if (pt !== undefined && pt === st) {
          out.push({
            severity: 'error',
            rule: 'verify/failover-same-address',
            subject: group,
            problem: `the health checks of primary '${primary.setIdentifier}' and secondary '${secondary.setIdentifier}' both probe ${pt}: they fail together, so Route 53 keeps answering the primary (both unhealthy) and never fails over`,
            fix: 'check each member on its own address',
            gateways: [g.key],
          });
        }
      }
    } else if (g.policy === 'weighted' || g.policy === 'multivalue') {
      // Geolocation, latency and IP-based members answer different clients: one address for several is fine.
      const byValue = new Map<string, string[]>();
      for (const m of g.members) {
        for (const key of answersOf(m)) {
          if (!byValue.has(key)) byValue.set(key, []);
          byValue.get(key)!.push(m.setIdentifier);
        }
      }
      for (const [value, ids] of byValue) {
        if (ids.length < 2) continue;
        out.push({
          severity: 'warning',
          rule: 'verify/duplicate-member-address',
          subject: group,
          problem: `members ${ids.map((i) => `'${i}'`).join(' and ')} all answer ${value}: their weights add up on one endpoint, and when it fails they all leave together`,
          fix: 'merge them into one member, or point each at its own endpoint',
          gateways: [g.key],
        });
      }
    }
  }

  // Per health check.
  const referenced = new Set<string>();
  for (const r of model.recordSets) if (r.healthCheckId !== undefined) referenced.add(r.healthCheckId);
  for (const hc of model.healthChecks) for (const child of hc.config.childHealthChecks ?? []) referenced.add(child);
  for (const hc of model.healthChecks) {
    const c = hc.config;
    const gws = gatewaysOfCheck(hc.id);
    const endpoint = isEndpointCheckType(c.type);
    if (endpoint && c.failureThreshold === 1) {
      out.push({
        severity: 'warning',
        rule: 'verify/failure-threshold-one',
        subject: healthCheckSubject(hc.id),
        problem: 'failure threshold 1: a single slow or failed probe (a brief overload, one lost packet) takes the member out, and one success brings it back, so it flaps',
        fix: 'use a failure threshold of 2 or more (Route 53 default 3); for faster detection shorten the interval instead',
        gateways: gws,
      });
    }
    const hostNames = hostNameMembers.get(hc.id);
    if (isHttpsCheck(c.type) && c.fullyQualifiedDomainName === undefined && hostNames) {
      out.push({
        severity: 'warning',
        rule: 'verify/https-without-sni',
        subject: healthCheckSubject(hc.id),
        problem: `HTTPS check on ${c.ipAddress ?? 'an address'} without a host name, guarding ${hostNames.join(', ')}: it can send no SNI (nor Host header) for the name the member serves, so a server with several certificates may fail the handshake`,
        fix: `set fullyQualifiedDomainName to the member's host name (${hostNames[0]}); SNI is on by default for HTTPS`,
        gateways: gws,
      });
    }
    if (isHttpsCheck(c.type) && c.fullyQualifiedDomainName !== undefined && c.enableSni === false) {
      out.push({
        severity: 'warning',
        rule: 'verify/https-without-sni',
        subject: healthCheckSubject(hc.id),
        problem: `HTTPS check with host name ${c.fullyQualifiedDomainName} but SNI turned off: a server that hosts several certificates answers the handshake with a default one or fails it ("SSL alert handshake_failure")`,
        fix: 'turn SNI on (enableSni: true, the default for HTTPS)',
        gateways: gws,
      });
    }
    if (c.searchString !== undefined && matchesString(c.type)) {
      const s = c.searchString;
      if (utf8Length(s) > SEARCH_WINDOW_BYTES) {
        out.push({
          severity: 'error',
          rule: 'verify/search-string-unreadable',
          subject: healthCheckSubject(hc.id),
          problem: `the search string is ${utf8Length(s)} bytes long, but Route 53 reads only the first ${SEARCH_WINDOW_BYTES} bytes of the body, so it can never match and the member is always unhealthy`,
          fix: `search for a short, distinctive string near the start of the body (at most ${MAX_SEARCH_STRING} characters)`,
          gateways: gws,
        });
      }
      if (HEADER_LIKE.test(s) || /\r|\n/.test(s)) {
        out.push({
          severity: 'warning',
          rule: 'verify/search-string-in-headers',
          subject: healthCheckSubject(hc.id),
          problem: `the search string '${s.slice(0, 40).replace(/\r/g, '\\r').replace(/\n/g, '\\n')}' looks like a status line, a header or a line break, but Route 53 searches only the response body`,
          fix: 'search for text of the body; the status code alone is checked by an HTTP or HTTPS check without a search string',
          gateways: gws,
        });
      }
      if (s.length > 0 && s.trim() !== s) {
        out.push({
          severity: 'warning',
          rule: 'verify/search-string-whitespace',
          subject: healthCheckSubject(hc.id),
          problem: `the search string '${s}' begins or ends with white space, which Route 53 matches literally (case-sensitive, byte for byte)`,
          fix: 'remove the white space unless the body really contains it there',
          gateways: gws,
        });
      }
    }
    if (!referenced.has(hc.id)) {
      out.push({
        severity: 'warning',
        rule: 'verify/unused-health-check',
        subject: healthCheckSubject(hc.id),
        problem: `no record uses it and no calculated check lists it as a child, so it ${source.route53 ? 'is billed' : 'is probed'} without effect on any answer`,
        fix: 'attach it to a record (healthCheckId) or remove it',
        gateways: [],
      });
    }
    if (c.disabled === true) {
      out.push({
        severity: 'warning',
        rule: 'verify/disabled-health-check',
        subject: healthCheckSubject(hc.id),
        problem: c.inverted
          ? 'disabled and inverted: the check is always unhealthy, so its member is never answered while another member is healthy'
          : 'disabled: the check is always healthy, so its member is never taken out, whatever the endpoint does',
        fix: c.inverted ? 'remove disabled and inverted once the member should serve again' : 'remove disabled to let the checkers decide again',
        gateways: gws,
      });
    }
  }

  // Per artifact.
  if (source.target === 'cloudformation' && source.resourceCount !== undefined && source.resourceCount >= CLOUDFORMATION_RESOURCE_WARNING) {
    const over = source.resourceCount > CLOUDFORMATION_RESOURCE_LIMIT;
    out.push({
      severity: over ? 'error' : 'warning',
      rule: 'verify/stack-resource-limit',
      subject: { kind: 'artifact', label: `stack ${source.name}` },
      problem: `the template has ${source.resourceCount} resources; a CloudFormation stack holds at most ${CLOUDFORMATION_RESOURCE_LIMIT}` +
        (over ? ', so it cannot be deployed' : ', so a few more endpoints will stop deployments'),
      fix: 'split the gateways over several stacks (or nested stacks); every endpoint costs two resources (record and health check)',
      gateways: [],
    });
  }
  if (source.target === 'self-hosted' && source.bundle && source.bundle.checkers.length < MIN_RECOMMENDED_CHECKERS && model.healthChecks.length > 0) {
    const n = source.bundle.checkers.length;
    out.push({
      severity: 'warning',
      rule: 'verify/few-checkers',
      subject: { kind: 'artifact', label: 'bundle config /checkers' },
      problem: `${n} checker${n === 1 ? '' : 's'}: a network problem at ${n === 1 ? 'that checker' : 'one checker'} alone can take every member out (Route 53 probes from checkers in 8 regions and needs 82 % of them to agree)`,
      fix: `run at least ${MIN_RECOMMENDED_CHECKERS} checkers on different machines or networks`,
      gateways: [],
    });
  }
  return out;
}

/** Every finding for one artifact: the reader's, the model rules', the verifier's. Sorted errors first, stable otherwise. */
export function lintArtifact(source: ArtifactSource, gateways: readonly Gateway[] = gatewaysOf(source.model)): LintFinding[] {
  const gatewaysOfFinding = findingGateways(source.model, gateways);
  const modelFindings: Finding[] = validateModel(source.model, source.capabilities);
  for (const g of gateways) modelFindings.push(...failoverWarnings(g.group));
  const out: LintFinding[] = [
    ...source.readerFindings.map((f): LintFinding => ({ ...f, origin: 'reader', gateways: [] })),
    ...modelFindings.map((f): LintFinding => ({ ...f, origin: 'model', gateways: gatewaysOfFinding(f) })),
    ...ownRules(source, gateways).map((f): LintFinding => ({
      ...finding(f.severity, f.rule, f.subject, f.problem, f.fix),
      origin: 'verify',
      gateways: [...f.gateways].sort(),
    })),
  ];
  const rank = (s: Severity) => (s === 'error' ? 0 : 1);
  return out.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f.severity) - rank(b.f.severity) || a.i - b.i).map((x) => x.f);
}
