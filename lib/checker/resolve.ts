/**
 * Name resolution for endpoints given by host name: "the FQDN is resolved again at every interval,
 * IPv4 only; no A record means a failed check ('DNS resolution failed')" (ROUTE53.md §1 "Addressing").
 *
 * `dns.lookup` runs on libuv's small thread pool and can hang (a dead resolver in
 * /etc/resolv.conf): every lookup gets its own deadline, and at most one lookup per name is in flight
 * at a time (callers for the same name share it), so a hanging name occupies one pool thread and
 * one map entry, never more, however often it is probed.
 */
import { promises as dnsPromises } from 'dns';

/** Resolves a host name to one IPv4 address; rejects when there is none. Injectable for tests. */
export type LookupIPv4 = (hostname: string) => Promise<string>;

/** The system resolver (`getaddrinfo`, so /etc/hosts counts), IPv4 only. */
export const systemLookupIPv4: LookupIPv4 = async (hostname) => (await dnsPromises.lookup(hostname, { family: 4 })).address;

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
    default:
      return `DNS resolution failed: ${hostname}: ${e?.code ?? e?.message ?? String(err)}`;
  }
}

export class HostResolver {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly lookup: LookupIPv4 = systemLookupIPv4,
    readonly timeoutMs: number = DEFAULT_LOOKUP_TIMEOUT_MS,
  ) {
    if (!(Number.isFinite(timeoutMs) && timeoutMs >= 1)) {
      throw new RangeError(`lookup timeout ${timeoutMs} ms is not usable; give 1 ms or more (default ${DEFAULT_LOOKUP_TIMEOUT_MS})`);
    }
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
      let done = false;
      const finish = (r: Resolution) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => finish({ ok: false, reason: 'probe cancelled (checker stopping)' });
      const timer = setTimeout(() => finish({ ok: false, reason: `DNS resolution failed: lookup of ${hostname} timed out after ${this.timeoutMs} ms` }), this.timeoutMs);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
      lookup.then(
        (address) => finish(typeof address === 'string' && address !== '' ? { ok: true, address } : { ok: false, reason: `DNS resolution failed: no IPv4 address for ${hostname}` }),
        (err) => finish({ ok: false, reason: describe(err, hostname) }),
      );
    });
  }
}
