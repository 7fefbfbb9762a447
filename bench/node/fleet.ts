/**
 * The fleet the node benchmarks use: a bundle config of G weighted gateways (`gw-<i>.example.com A`,
 * two endpoints at 50/50, each guarded by its own HTTP health check, as a SelfHostedStack gateway
 * synthesizes them), C checkers, and the checkers' signed reports. Imports nothing of the project, so
 * one driver can measure several builds.
 */
import { createHash, createHmac } from 'crypto';

export interface FleetOptions {
  readonly gateways: number;
  readonly checkers: number;
  /** A number written into the SOA serial and one record, so that two configs differ. */
  readonly serial?: number;
  readonly dnsPort?: number;
  readonly adminPort?: number;
}

export const checkerId = (c: number) => `checker-${c}`;
export const healthCheckIds = (gateways: number) => {
  const ids: string[] = [];
  for (let g = 0; g < gateways; g++) ids.push(`gw-${g}/a`, `gw-${g}/b`);
  return ids;
};

/** Two distinct addresses per gateway, in 10.0.0.0/8. */
const address = (g: number, member: number) => `10.${(g >> 8) & 255}.${g & 255}.${member === 0 ? 10 : 20}`;

export function fleetConfig(o: FleetOptions): Record<string, unknown> {
  const healthChecks: unknown[] = [];
  const recordSets: unknown[] = [];
  for (let g = 0; g < o.gateways; g++) {
    for (const [m, side] of [[0, 'a'], [1, 'b']] as const) {
      const id = `gw-${g}/${side}`;
      healthChecks.push({
        id,
        name: `gw-${g} ${side}`,
        config: { type: 'HTTP', ipAddress: address(g, m), port: 80, resourcePath: '/health', requestInterval: 30, failureThreshold: 3 },
      });
      recordSets.push({
        name: `gw-${g}.example.com`, recordType: 'A', ttl: 60, values: [address(g, m)], setIdentifier: side, weight: 50, healthCheckId: id,
      });
    }
  }
  const serial = o.serial ?? 1;
  return {
    version: 1,
    zones: [{
      name: 'example.com',
      soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial, minimum: 60, ttl: 300 },
      nameServers: ['ns1.example.com', 'ns2.example.com'],
      records: [
        { name: 'ns1.example.com', recordType: 'A', ttl: 3600, values: ['192.0.2.53'] },
        { name: 'ns2.example.com', recordType: 'A', ttl: 3600, values: ['192.0.2.54'] },
        { name: 'serial.example.com', recordType: 'TXT', ttl: 60, values: [`"${serial}"`] },
      ],
    }],
    healthChecks,
    recordSets,
    checkers: Array.from({ length: o.checkers }, (_, c) => ({ id: checkerId(c), region: `region-${c % 4}` })),
    dnsNodes: [{ id: 'bench', dns: `127.0.0.1:${o.dnsPort ?? 5353}`, admin: `127.0.0.1:${o.adminPort ?? 8053}` }],
  };
}

/** A deterministic random source (so that every build sees the same reports). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SignedReport {
  readonly checker: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/**
 * The checkers of a fleet, each with its key, its view of every check (which flips now and then, as
 * endpoints fail and recover), and its report sequence. `round(now)` gives every checker's report for
 * one push interval: all its observations, signed as the reference checker signs them (protocol v2).
 */
export class CheckerFleet {
  readonly keys: Buffer[];
  private readonly views: boolean[][];
  private readonly sequences: number[];
  private readonly ids: string[];
  private readonly random: () => number;

  constructor(readonly gateways: number, readonly checkers: number, readonly flipProbability = 0.002, seed = 14) {
    this.random = seeded(seed);
    this.ids = healthCheckIds(gateways);
    // 64 hex digits, as `openssl rand -hex 32 > <key file>` makes them: the key is the file's text.
    this.keys = Array.from({ length: checkers }, (_, c) => Buffer.from(createHash('sha256').update(`bench key of checker ${c}`).digest('hex')));
    this.views = Array.from({ length: checkers }, () => this.ids.map(() => true));
    this.sequences = Array.from({ length: checkers }, () => 0);
  }

  /** Every checker's report at `now` (ms since epoch). */
  round(now: number): SignedReport[] {
    const out: SignedReport[] = [];
    for (let c = 0; c < this.checkers; c++) out.push(this.report(c, now));
    return out;
  }

  report(c: number, now: number): SignedReport {
    const view = this.views[c];
    const observations: unknown[] = [];
    for (let i = 0; i < this.ids.length; i++) {
      if (this.random() < this.flipProbability) view[i] = !view[i];
      observations.push({
        healthCheckId: this.ids[i],
        healthy: view[i],
        reason: view[i] ? 'HTTP status 200' : 'HTTP status 503 (3 of 3 consecutive failures needed to mark unhealthy)',
        latencyMs: Math.round(this.random() * 2000) / 100,
        observedAt: now - Math.floor(this.random() * 1000),
      });
    }
    const id = checkerId(c);
    return this.sign(c, Buffer.from(JSON.stringify({ checkerId: id, region: `region-${c % 4}`, observations })), now);
  }

  /** Checker `c`'s report `body` (one that `report` made), signed again at `now` with its next sequence: cheap, for floods. */
  sign(c: number, body: Buffer, now: number, digest = createHash('sha256').update(body).digest('hex')): SignedReport {
    const id = checkerId(c);
    const sequence = Math.max(this.sequences[c] + 1, now * 1000);
    this.sequences[c] = sequence;
    const input = `dns-failover-report-v2\n${id}\n${now}\n${sequence}\n${body.length}\n${digest}\n`;
    const headers = {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'x-dns-failover-checker': id,
      'x-dns-failover-timestamp': String(now),
      'x-dns-failover-sequence': String(sequence),
      'x-dns-failover-body-sha256': digest,
      'x-dns-failover-signature': `v2=${createHmac('sha256', this.keys[c]).update(input).digest('hex')}`,
    };
    return { checker: c, headers, body };
  }
}
