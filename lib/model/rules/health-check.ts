/**
 * The rules for one health check (ROUTE53.md §1), with the capabilities of the target at hand.
 */
import { TargetCapabilities } from '../capabilities';
import { inRange, known } from './checks';
import {
  FAILURE_THRESHOLD_RANGE,
  HEALTH_CHECK_REGIONS,
  HEALTH_CHECK_TYPES,
  HEALTH_THRESHOLD_RANGE,
  healthCheckKindOf,
  healthThresholdOf,
  isHttpsCheck,
  matchesString,
  MAX_CHILD_HEALTH_CHECKS,
  MAX_FQDN,
  MAX_RESOURCE_PATH,
  MAX_SEARCH_STRING,
  MIN_HEALTH_CHECK_REGIONS,
  MIN_SELF_HOSTED_INTERVAL_SECONDS,
  PORT_RANGE,
  ROUTE53_PROBE_TIMEOUTS,
  ROUTE53_REQUEST_INTERVALS,
} from '../facts';
import { Finding, FindingList, healthCheckSubject } from '../findings';
import { dnsNameProblem, isIpAddress, nonPublicAddressKind } from '../names';
import { isUnresolved } from '../tokens';
import { HealthCheckModel } from '../types';

const T = ROUTE53_PROBE_TIMEOUTS;
const SELF_HOSTED_MINIMUM = `${MIN_SELF_HOSTED_INTERVAL_SECONDS} s (${MIN_SELF_HOSTED_INTERVAL_SECONDS * 1000} ms) and more`;

/** Rules for one health check (ROUTE53.md §1). */
export function validateHealthCheck(hc: HealthCheckModel, caps: TargetCapabilities): Finding[] {
  const f = new FindingList(healthCheckSubject(hc.id));
  const c = hc.config;
  if (!(HEALTH_CHECK_TYPES as readonly string[]).includes(c.type)) {
    f.error('health-check/type', `type '${c.type}' is not a Route 53 health check type`, `use one of ${HEALTH_CHECK_TYPES.join(', ')}`);
    return f.list;
  }
  const kind = healthCheckKindOf(c.type);
  const strMatch = matchesString(c.type);

  const notFor = (field: string, value: unknown, what: string) => {
    if (value !== undefined) f.error('health-check/field-not-allowed', `${field} is set (${JSON.stringify(value)}) but ${what}`, 'remove it');
  };

  if (kind === 'endpoint') {
    if (c.ipAddress === undefined && c.fullyQualifiedDomainName === undefined) {
      f.error('health-check/address', `an ${c.type} health check needs an IP address or a fully qualified domain name to probe`, 'set ipAddress or fullyQualifiedDomainName');
    }
    if (known(c.ipAddress)) {
      if (!isIpAddress(c.ipAddress!)) {
        f.error('health-check/ip-address', `ipAddress '${c.ipAddress}' is not an IPv4 or IPv6 address`, 'give the endpoint\'s address, or use fullyQualifiedDomainName for a host name');
      } else if (caps.route53Limits) {
        const addressKind = nonPublicAddressKind(c.ipAddress!);
        if (addressKind) {
          f.error(
            'health-check/private-address',
            `ipAddress ${c.ipAddress} is a ${addressKind} address, which Route 53 health checkers cannot reach`,
            'give the endpoint\'s public address, or use the self-hosted target whose checkers run inside your network',
          );
        }
      }
    }
    if (known(c.fullyQualifiedDomainName)) {
      const problem = dnsNameProblem(c.fullyQualifiedDomainName!);
      if (problem || c.fullyQualifiedDomainName!.length > MAX_FQDN) {
        f.error(
          'health-check/fqdn',
          `fullyQualifiedDomainName '${c.fullyQualifiedDomainName}' is not a valid domain name: ${problem ?? `it is longer than ${MAX_FQDN} characters`}`,
          'give the host name the checkers should send and resolve, for example api.example.com',
        );
      }
    }
    if (c.type === 'TCP') {
      if (c.port === undefined) f.error('health-check/port', 'a TCP health check needs a port', `set port (${PORT_RANGE.min}..${PORT_RANGE.max})`);
      notFor('resourcePath', c.resourcePath, 'TCP health checks send no request');
      notFor('searchString', c.searchString, 'TCP health checks read no response');
    }
    if (known(c.port) && !inRange(c.port!, PORT_RANGE)) {
      f.error('health-check/port', `port ${c.port} is out of range`, `use a port from ${PORT_RANGE.min} to ${PORT_RANGE.max}`);
    }
    if (known(c.resourcePath) && c.resourcePath!.length > MAX_RESOURCE_PATH) {
      f.error('health-check/resource-path', `resourcePath has ${c.resourcePath!.length} characters ('${c.resourcePath!.slice(0, 30)}...')`, `Route 53 accepts at most ${MAX_RESOURCE_PATH}`);
    }
    if (strMatch) {
      if (c.searchString === undefined || c.searchString === '') {
        f.error('health-check/search-string', `an ${c.type} health check needs a searchString`, `set one, or use type ${c.type.replace('_STR_MATCH', '')}`);
      } else if (known(c.searchString) && c.searchString.length > MAX_SEARCH_STRING) {
        f.error('health-check/search-string', `searchString has ${c.searchString.length} characters`, `Route 53 accepts at most ${MAX_SEARCH_STRING}`);
      }
    } else if (c.type !== 'TCP') {
      notFor('searchString', c.searchString, `type ${c.type} does not match strings (use ${c.type}_STR_MATCH)`);
    }
    if (c.enableSni !== undefined && !isHttpsCheck(c.type)) notFor('enableSni', c.enableSni, `SNI applies to HTTPS health checks only, not ${c.type}`);

    if (known(c.requestInterval)) {
      const iv = c.requestInterval!;
      if (caps.route53Limits) {
        if (!ROUTE53_REQUEST_INTERVALS.includes(iv)) {
          f.error(
            'health-check/request-interval',
            `requestInterval ${iv} s is not allowed by Route 53`,
            `use ${ROUTE53_REQUEST_INTERVALS.join(' or ')} seconds (shorter intervals are available in the self-hosted target only)`,
          );
        }
      } else if (!(iv >= MIN_SELF_HOSTED_INTERVAL_SECONDS)) {
        f.error('health-check/request-interval', `requestInterval ${iv} s is too short`, `${caps.name} accepts ${SELF_HOSTED_MINIMUM}`);
      }
    }
    if (known(c.failureThreshold) && !inRange(c.failureThreshold!, FAILURE_THRESHOLD_RANGE)) {
      f.error('health-check/failure-threshold', `failureThreshold ${c.failureThreshold} is out of range`, `use a whole number from ${FAILURE_THRESHOLD_RANGE.min} to ${FAILURE_THRESHOLD_RANGE.max}`);
    }
    if (c.regions !== undefined && !isUnresolved(c.regions)) {
      const seen = new Set<string>();
      for (const r of c.regions) {
        if (seen.has(r)) f.error('health-check/regions', `region '${r}' is listed twice`, 'list each region once');
        seen.add(r);
        if (caps.route53Limits && !(HEALTH_CHECK_REGIONS as readonly string[]).includes(r)) {
          f.error('health-check/regions', `region '${r}' has no Route 53 health checkers`, `use some of ${HEALTH_CHECK_REGIONS.join(', ')}`);
        }
      }
      if (caps.route53Limits && c.regions.length < MIN_HEALTH_CHECK_REGIONS) {
        f.error(
          'health-check/regions',
          `${c.regions.length} region(s) listed (${c.regions.join(', ') || 'none'})`,
          `Route 53 needs at least ${MIN_HEALTH_CHECK_REGIONS}, or leave regions unset for all ${HEALTH_CHECK_REGIONS.length}`,
        );
      }
    }
    for (const field of ['connectTimeout', 'statusTimeout', 'bodyTimeout'] as const) {
      const value = c[field];
      if (!known(value)) continue;
      if (caps.route53Limits) {
        f.error(
          'health-check/timeout',
          `${field} ${value} s is set, but Route 53's probe timeouts are fixed (${T.httpConnect} s to connect, ${T.tcpConnect} s for TCP, ${T.status} s for the status, ${T.body} s for the body)`,
          'remove it, or use the self-hosted target',
        );
      } else if (!(value! >= MIN_SELF_HOSTED_INTERVAL_SECONDS)) {
        f.error('health-check/timeout', `${field} ${value} s is too short`, `${caps.name} accepts ${SELF_HOSTED_MINIMUM}`);
      }
    }
    if (c.type === 'TCP') notFor('statusTimeout', c.statusTimeout, 'TCP health checks wait for no status');
    if (!strMatch) notFor('bodyTimeout', c.bodyTimeout, `${c.type} health checks read no body (only *_STR_MATCH do)`);
    notFor('childHealthChecks', c.childHealthChecks, `only CALCULATED health checks have children, this one is ${c.type}`);
    notFor('healthThreshold', c.healthThreshold, `only CALCULATED health checks have a health threshold, this one is ${c.type}`);
    notFor('alarmIdentifier', c.alarmIdentifier, `only CLOUDWATCH_METRIC health checks watch an alarm, this one is ${c.type}`);
  } else {
    const what = `${c.type} health checks probe no endpoint`;
    notFor('ipAddress', c.ipAddress, what);
    notFor('fullyQualifiedDomainName', c.fullyQualifiedDomainName, what);
    notFor('port', c.port, what);
    notFor('resourcePath', c.resourcePath, what);
    notFor('searchString', c.searchString, what);
    notFor('requestInterval', c.requestInterval, what);
    notFor('failureThreshold', c.failureThreshold, what);
    notFor('enableSni', c.enableSni, what);
    notFor('regions', c.regions, what);
    notFor('connectTimeout', c.connectTimeout, what);
    notFor('statusTimeout', c.statusTimeout, what);
    notFor('bodyTimeout', c.bodyTimeout, what);
    if (c.measureLatency) notFor('measureLatency', c.measureLatency, what);
  }

  if (kind === 'calculated') {
    const children = c.childHealthChecks ?? [];
    if (children.length > MAX_CHILD_HEALTH_CHECKS) {
      f.error('health-check/children', `${children.length} child health checks`, `Route 53 allows at most ${MAX_CHILD_HEALTH_CHECKS}`);
    }
    const distinct = new Set(children).size;
    if (distinct !== children.length) {
      f.error('health-check/children', 'a child health check is listed twice', 'list each child once');
    }
    if (c.healthThreshold === undefined) {
      // The one meaning of a missing threshold: facts.ts `healthThresholdOf`.
      f.warn(
        'health-check/health-threshold',
        `the CALCULATED health check sets no healthThreshold, whose default Route 53 does not document; this library reads it as all ${healthThresholdOf(c)} children`,
        `write healthThreshold (${HEALTH_THRESHOLD_RANGE.min}..${HEALTH_THRESHOLD_RANGE.max}): how many children must be healthy`,
      );
    } else if (known(c.healthThreshold) && !inRange(c.healthThreshold, HEALTH_THRESHOLD_RANGE)) {
      f.error('health-check/health-threshold', `healthThreshold ${c.healthThreshold} is out of range`, `use a whole number from ${HEALTH_THRESHOLD_RANGE.min} to ${HEALTH_THRESHOLD_RANGE.max}`);
    } else if (known(c.healthThreshold) && c.healthThreshold > distinct) {
      f.warn(
        'health-check/health-threshold',
        `healthThreshold ${c.healthThreshold} is more than the ${distinct} children, so this check is always unhealthy`,
        `lower it to at most ${distinct}`,
      );
    }
  }
  if (c.type === 'CLOUDWATCH_METRIC') {
    if (!caps.cloudWatchAlarmChecks) {
      f.error(
        'health-check/unsupported',
        `CloudWatch alarm health checks are not available in ${caps.name}`,
        'use an HTTP, HTTPS or TCP check, or deploy this gateway to Route 53',
      );
    }
    if (!c.alarmIdentifier || !c.alarmIdentifier.name || !c.alarmIdentifier.region) {
      f.error('health-check/alarm', 'a CLOUDWATCH_METRIC health check needs an alarm name and region', 'set alarmIdentifier');
    }
    if (!c.insufficientDataHealthStatus) {
      f.error('health-check/insufficient-data', 'a CLOUDWATCH_METRIC health check needs insufficientDataHealthStatus', 'set it to Healthy, Unhealthy or LastKnownStatus');
    }
  } else {
    notFor('insufficientDataHealthStatus', c.insufficientDataHealthStatus, `only CLOUDWATCH_METRIC health checks use it, this one is ${c.type}`);
  }
  if (c.type === 'RECOVERY_CONTROL') {
    if (!caps.recoveryControlChecks) {
      f.error('health-check/unsupported', `routing control health checks are not available in ${caps.name}`, 'use another health check type');
    }
    if (!c.routingControlArn) f.error('health-check/routing-control', 'a RECOVERY_CONTROL health check needs routingControlArn', 'set the ARN of its routing control');
  } else {
    notFor('routingControlArn', c.routingControlArn, `only RECOVERY_CONTROL health checks use it, this one is ${c.type}`);
  }
  if (c.disabled && !caps.disabledHealthChecks) {
    f.error(
      'health-check/disabled-unsupported',
      `${caps.name} cannot express a disabled health check (Route 53 'Disabled')`,
      'remove disabled, or use the Terraform or self-hosted target. To force a member out, disable and invert its check where Disabled exists',
    );
  }
  return f.list;
}
