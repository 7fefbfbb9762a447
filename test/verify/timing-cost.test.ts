/**
 * The timing model (ROUTE53.md §4) per health check settings, and the Route 53 cost per health check
 * kind, endpoint ownership and optional features.
 */
import { HealthCheckConfigModel, HealthCheckModel } from '../../lib/model';
import {
  checkersToFlip,
  checkTiming,
  costEstimate,
  gatewaysOf,
  gatewayTiming,
  healthCheckCost,
  ROUTE53_PRICES,
} from '../../lib/verify';

const hc = (config: Partial<HealthCheckConfigModel>, id = 'hc'): HealthCheckModel => ({
  id,
  config: { type: 'HTTP', ipAddress: '203.0.113.10', port: 80, ...config },
});
const timingOf = (config: Partial<HealthCheckConfigModel>) => checkTiming(hc(config), new Map());

describe('timing (ROUTE53.md §4)', () => {
  test('Route 53 defaults (30 s, threshold 3), HTTP: refusing 90-120 s, hanging 3 x (30 + 4 + 2) = 108-144 s', () => {
    const t = timingOf({});
    expect(t.requestInterval).toBe(30);
    expect(t.failureThreshold).toBe(3);
    expect(t.timeouts).toEqual({ connect: 4, status: 2 });
    expect(t.detectRefusing).toEqual({ typical: 90, worst: 120 });
    expect(t.detectHanging).toEqual({ typical: 108, worst: 144 });
    expect(t.recover).toEqual({ typical: 90, worst: 120 });
  });

  test('the 10 s interval with threshold 2', () => {
    const t = timingOf({ requestInterval: 10, failureThreshold: 2 });
    expect(t.detectRefusing).toEqual({ typical: 20, worst: 30 });
    expect(t.detectHanging).toEqual({ typical: 32, worst: 48 });
  });

  test('string matching adds the 2 s body timeout; TCP hangs for its 10 s connect timeout', () => {
    expect(timingOf({ type: 'HTTPS_STR_MATCH', searchString: 'OK' }).hangTimeout).toBe(8);
    expect(timingOf({ type: 'HTTPS_STR_MATCH', searchString: 'OK' }).detectHanging).toEqual({ typical: 114, worst: 152 });
    const tcp = timingOf({ type: 'TCP', port: 443 });
    expect(tcp.timeouts).toEqual({ connect: 10 });
    expect(tcp.detectHanging).toEqual({ typical: 120, worst: 160 });
  });

  test('a self-hosted check\'s own interval and timeouts are honoured', () => {
    const t = timingOf({ requestInterval: 0.5, failureThreshold: 3, connectTimeout: 0.2, statusTimeout: 0.3 });
    expect(t.timeouts).toEqual({ connect: 0.2, status: 0.3 });
    expect(t.detectRefusing).toEqual({ typical: 1.5, worst: 2 });
    expect(t.detectHanging).toEqual({ typical: 3, worst: 4 });
  });

  test('clients move after detection plus the TTL; a member without a check never leaves', () => {
    const model = {
      healthChecks: [hc({}, 'hc-a')],
      recordSets: [
        { hostedZoneName: 'example.com', name: 'www.example.com', recordType: 'A' as const, ttl: 300, values: ['203.0.113.10'], setIdentifier: 'a', weight: 1, healthCheckId: 'hc-a' },
        { hostedZoneName: 'example.com', name: 'www.example.com', recordType: 'A' as const, ttl: 300, values: ['203.0.113.11'], setIdentifier: 'b', weight: 1 },
      ],
    };
    const [g] = gatewaysOf(model);
    const t = gatewayTiming(g, new Map(model.healthChecks.map((h) => [h.id, h])));
    expect(t.members[0].clientsMoveRefusing).toEqual({ typical: 390, worst: 420 });
    expect(t.members[0].clientsMoveHanging).toEqual({ typical: 408, worst: 444 });
    expect(t.members[1]).toEqual({ setIdentifier: 'b', note: 'no health check: never taken out' });
    expect(t.slowest!.clientsMoveRefusing).toEqual({ typical: 390, worst: 420 });
  });

  test('a calculated check follows its slowest child; an alarm check is not timed', () => {
    const children = [hc({ requestInterval: 10 }, 'fast'), hc({ requestInterval: 30 }, 'slow')];
    const calc: HealthCheckModel = { id: 'calc', config: { type: 'CALCULATED', childHealthChecks: ['fast', 'slow'], healthThreshold: 2 } };
    const checks = new Map([...children, calc].map((h) => [h.id, h]));
    const t = checkTiming(calc, checks);
    expect(t.kind).toBe('calculated');
    expect(t.detectRefusing).toEqual({ typical: 90, worst: 120 });
    const alarm = checkTiming({ id: 'alarm', config: { type: 'CLOUDWATCH_METRIC', alarmIdentifier: { name: 'x', region: 'us-east-1' }, insufficientDataHealthStatus: 'Healthy' } }, new Map());
    expect(alarm.kind).toBe('alarm');
    expect(alarm.detectRefusing).toBeUndefined();
  });

  test('how many checkers must agree, asked of the engine (more than 18 % healthy keeps a member in)', () => {
    // 8 checkers: 1 healthy of 8 is 12.5 %, so 7 failures take it out; 2 of 8 (25 %) bring it back.
    expect(checkersToFlip(8)).toEqual({ toFail: 7, toRecover: 2 });
    // 5 checkers: 1 of 5 is 20 % > 18 %, so all 5 must fail; 1 brings it back.
    expect(checkersToFlip(5)).toEqual({ toFail: 5, toRecover: 1 });
    expect(checkersToFlip(3)).toEqual({ toFail: 3, toRecover: 1 });
    expect(checkersToFlip(3, 0.5)).toEqual({ toFail: 2, toRecover: 2 });
  });

  test('self-hosted: only the checkers in the check\'s regions count', () => {
    const checkers = [{ id: 'a', region: 'home' }, { id: 'b', region: 'isp-a' }, { id: 'c', region: 'isp-b' }];
    const t = checkTiming(hc({ regions: ['home', 'isp-a'] }), new Map(), { checkers });
    expect(t.checkers).toEqual({ count: 2, toFail: 2, toRecover: 1 });
  });
});

describe('cost (Route 53 prices)', () => {
  test('the price table has its date and source in one place', () => {
    expect(ROUTE53_PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(ROUTE53_PRICES.source).toBe('https://aws.amazon.com/route53/pricing/');
    expect(ROUTE53_PRICES.healthChecks).toEqual({
      awsEndpointBasic: 0.5,
      nonAwsEndpointBasic: 0.75,
      awsEndpointOptionalFeature: 1,
      nonAwsEndpointOptionalFeature: 2,
    });
    expect(ROUTE53_PRICES.hostedZones.first25).toBe(0.5);
  });

  test.each([
    ['basic HTTP on an IP address (non-AWS)', {}, 0.75, []],
    ['TCP on an IP address', { type: 'TCP' as const, port: 443 }, 0.75, []],
    ['HTTPS (one feature)', { type: 'HTTPS' as const, port: 443 }, 2.75, ['HTTPS']],
    ['HTTPS with string matching (two features)', { type: 'HTTPS_STR_MATCH' as const, port: 443, searchString: 'OK' }, 4.75, ['HTTPS', 'string matching']],
    ['every feature', { type: 'HTTPS_STR_MATCH' as const, searchString: 'OK', requestInterval: 10, measureLatency: true }, 8.75,
      ['HTTPS', 'string matching', 'fast interval (10 s)', 'latency measurement']],
    ['HTTP on an AWS host name (ELB)', { ipAddress: undefined, fullyQualifiedDomainName: 'my-lb-1234.eu-west-1.elb.amazonaws.com' }, 0.5, []],
    ['HTTPS on CloudFront, 10 s', { ipAddress: undefined, type: 'HTTPS' as const, fullyQualifiedDomainName: 'd111111abcdef8.cloudfront.net', requestInterval: 10 }, 2.5,
      ['HTTPS', 'fast interval (10 s)']],
    ['HTTP on another host name (ownership unknown)', { ipAddress: undefined, fullyQualifiedDomainName: 'gw.example.com' }, 0.75, []],
  ])('%s', (_, config, monthly, features) => {
    const c = healthCheckCost(hc(config));
    expect(c.monthly).toBe(monthly);
    expect(c.features).toEqual(features);
  });

  test('calculated and CloudWatch alarm checks are priced as basic AWS checks', () => {
    const calculated = healthCheckCost({ id: 'c', config: { type: 'CALCULATED', childHealthChecks: [], healthThreshold: 0 } });
    expect(calculated).toMatchObject({ endpoint: 'aws', monthly: 0.5 });
    const alarm = healthCheckCost({ id: 'w', config: { type: 'CLOUDWATCH_METRIC', alarmIdentifier: { name: 'x', region: 'us-east-1' }, insufficientDataHealthStatus: 'Healthy' } });
    expect(alarm).toMatchObject({ endpoint: 'aws', monthly: 0.5, features: [] });
  });

  test('hosted zones: one price per distinct zone, and the notes say what is assumed', () => {
    const r = (zone: string) => ({ hostedZoneName: zone, name: `www.${zone}`, recordType: 'A' as const, ttl: 60, values: ['203.0.113.1'] });
    const c = costEstimate({ healthChecks: [hc({})], recordSets: [r('example.com'), r('example.com'), r('example.org')] });
    expect(c.hostedZones).toEqual([{ zone: 'example.com', monthly: 0.5 }, { zone: 'example.org', monthly: 0.5 }]);
    expect(c.totalMonthly).toBe(1.75);
    expect(c.notes.join('\n')).toMatch(/priced as outside AWS/);
    expect(c.notes.join('\n')).toMatch(/queries .* not included/);
  });
});
