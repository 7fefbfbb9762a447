/**
 * Name resolution for endpoints given by host name: "the FQDN is resolved again at every interval,
 * IPv4 only; no A record means a failed check ('DNS resolution failed')" (ROUTE53.md §1 "Addressing").
 *
 * Names are resolved with Node's c-ares resolver (`dns.Resolver#resolve4`): DNS queries on the event
 * loop, each with its own timeout, many at once. Not with `dns.lookup`: that runs getaddrinfo on
 * libuv's thread pool, four threads shared with file I/O and crypto, so four names whose resolver
 * never answers held every thread and failed every other name-based check behind them. Like Route 53,
 * the name is looked up in the DNS (the servers of /etc/resolv.conf, or the ones given); /etc/hosts
 * is not consulted.
 *
 * Every lookup also gets our own deadline, and at most one lookup per name is in flight at a time
 * (callers for the same name share it), so a hanging name costs one pending query, never more.
 */
import { promises as dnsPromises } from 'dns';
import { Cancellable, unwatch, watch } from './cancel';

/** Resolves a host name to one IPv4 address; rejects when there is none. Injectable for tests. */
export type LookupIPv4 = (hostname: string) => Promise<string>;

/** getaddrinfo through libuv's thread pool (so /etc/hosts counts), IPv4 only. Not the default: see the file comment. */
export const systemLookupIPv4: LookupIPv4 = async (hostname) => (await dnsPromises.lookup(hostname, { family: 4 })).address;

export interface DnsLookupOptions {
  /** DNS servers, `ip` or `ip:port` (`[v6]:port`). @default - those of /etc/resolv.conf */
  readonly servers?: readonly string[];
  /** How long c-ares waits for all its tries of one query. @default 2000 */
  readonly timeoutMs?: number;
}

/** A c-ares lookup: IPv4 addresses from the DNS, the first one; `cancel` ends every query in flight. */
export type DnsLookupIPv4 = LookupIPv4 & { readonly servers: readonly string[]; cancel(): void };

/** An IPv4 lookup with Node's c-ares resolver (its own channel, its own timeout; no thread pool). */
export function dnsLookupIPv4(options: DnsLookupOptions = {}): DnsLookupIPv4 {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
  // Two tries that together fit the deadline (c-ares's own timer), so a dead server costs no more.
  const resolver = new dnsPromises.Resolver({ timeout: Math.max(1, Math.floor(timeoutMs / 2)), tries: 2 });
  if (options.servers !== undefined && options.servers.length > 0) {
    try {
      resolver.setServers([...options.servers]);
    } catch (e) {
      throw new Error(`DNS servers ${options.servers.join(', ')} are not usable: ${(e as Error).message}; give addresses such as 127.0.0.1 or 127.0.0.1:5353`);
    }
  }
  const lookup = (async (hostname: string) => {
    const addresses = await resolver.resolve4(hostname);
    if (addresses.length === 0) throw Object.assign(new Error(`no A record for ${hostname}`), { code: 'ENODATA' });
    return addresses[0];
  }) as DnsLookupIPv4;
  lookup.cancel = () => resolver.cancel();
  Object.defineProperty(lookup, 'servers', { get: () => resolver.getServers() });
  return lookup;
}

/** Our choice: Route 53 does not say how long it waits for a name; 2 s, like the status deadline. */
export const DEFAULT_LOOKUP_TIMEOUT_MS = 2000;

export type Resolution = { readonly ok: true; readonly address: string } | { readonly ok: false; readonly reason: string };

function describe(err: unknown, hostname: string): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOTFOUND':
    case 'ENODATA':
    case 'EAI_NONAME':
      return `DNS resolution failed: no IPv4 address for ${hostname} (${e.code})`;
    case 'EAI_AGAIN':
      return `DNS resolution failed: temporary failure resolving ${hostname} (EAI_AGAIN)`;
    case 'ETIMEOUT':
      return `DNS resolution failed: no answer from the DNS servers for ${hostname} (ETIMEOUT)`;
    case 'ESERVFAIL':
    case 'EREFUSED':
    case 'ECONNREFUSED':
      return `DNS resolution failed: ${hostname}: the DNS server answered ${e.code}`;
    default:
      return `DNS resolution failed: ${hostname}: ${e?.code ?? e?.message ?? String(err)}`;
  }
}

function onLookupTimeout(wait: LookupWait, hostname: string, ms: number): void {
  wait.finish({ ok: false, reason: `DNS resolution failed: lookup of ${hostname} timed out after ${ms} ms` });
}

/** One caller waiting for a lookup: its own deadline, cancelled with the stop signal (cancel.ts). */
class LookupWait implements Cancellable {
  timer?: NodeJS.Timeout;
  private done = false;

  constructor(private readonly resolve: (r: Resolution) => void, private readonly signal: AbortSignal | undefined) {
    if (signal !== undefined) watch(signal, this);
  }

  cancel(): void {
    this.finish({ ok: false, reason: 'probe cancelled (checker stopping)' });
  }

  finish(r: Resolution): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    if (this.signal !== undefined) unwatch(this.signal, this);
    this.resolve(r);
  }
}

export class HostResolver {
  private readonly pending = new Map<string, Promise<string>>();
  private readonly lookup: LookupIPv4;

  /** @param lookup @default a c-ares lookup ({@link dnsLookupIPv4}) with this timeout and the system's DNS servers */
  constructor(
    lookup?: LookupIPv4,
    readonly timeoutMs: number = DEFAULT_LOOKUP_TIMEOUT_MS,
  ) {
    if (!(Number.isFinite(timeoutMs) && timeoutMs >= 1)) {
      throw new RangeError(`lookup timeout ${timeoutMs} ms is not usable; give 1 ms or more (default ${DEFAULT_LOOKUP_TIMEOUT_MS})`);
    }
    this.lookup = lookup ?? dnsLookupIPv4({ timeoutMs });
  }

  /** Ends every lookup in flight (a c-ares lookup's queries are cancelled). */
  close(): void {
    (this.lookup as Partial<DnsLookupIPv4>).cancel?.();
  }

  /** Lookups started and not yet settled (a hanging name stays here until its lookup returns). */
  get inFlight(): number {
    return this.pending.size;
  }

  /** One IPv4 address for `hostname`, or the reason there is none; never rejects. */
  resolve(hostname: string, signal?: AbortSignal): Promise<Resolution> {
    let shared = this.pending.get(hostname);
    if (!shared) {
      let started: Promise<string>;
      try {
        started = Promise.resolve(this.lookup(hostname));
      } catch (e) {
        started = Promise.reject(e);
      }
      shared = started.finally(() => {
        if (this.pending.get(hostname) === shared) this.pending.delete(hostname);
      });
      shared.catch(() => undefined);
      this.pending.set(hostname, shared);
    }
    const lookup = shared;
    return new Promise<Resolution>((resolve) => {
      if (signal?.aborted) return resolve({ ok: false, reason: 'probe cancelled (checker stopping)' });
      const wait = new LookupWait(resolve, signal);
      wait.timer = setTimeout(onLookupTimeout, this.timeoutMs, wait, hostname, this.timeoutMs);
      lookup.then(
        (address) => wait.finish(typeof address === 'string' && address !== '' ? { ok: true, address } : { ok: false, reason: `DNS resolution failed: no IPv4 address for ${hostname}` }),
        (err) => wait.finish({ ok: false, reason: describe(err, hostname) }),
      );
    });
  }
}
