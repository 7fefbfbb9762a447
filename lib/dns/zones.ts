/**
 * The served data, compiled from a bundle config for fast lookups, and the resolution of one question
 * inside it (RFC 1034 §4.3.2, without delegations or wildcards, which the bundle cannot express).
 *
 * Failover groups are compiled once with the engine (`compileGroup`); which records answer is
 * decided by the engine's `select` for every query, never here.
 *
 * Answers are encoded once and kept: a response is the query's own header and question followed by
 * an encoded "tail" (answer, authority and additional sections). Compression pointers in the tail
 * point into the question at fixed offsets, and a question for the same name has the same length
 * whatever its case, so one tail serves every query for that name and type; the question's case is
 * preserved because it is copied from the query.
 */
import { Client, CompiledGroup, CompiledTree, compileTree, HealthLookup, PreparedSelect, RandomSource, TreeGroup, UNKNOWN_CLIENT } from '../engine';
import { DEFAULT_NAME_SERVER_TTL, DEFAULT_SOA, normalizeName, RecordSetModel } from '../model';
import { NameTable } from './name-table';
import { nameToLabels, Rcode, RData, ResourceRecord, RRClass, RRType, Writer } from './wire';
import { BundleConfig, BundleZone, parseRecordValue, RecordValue, valueProblemText, zoneFinder } from '../bundle';

/** CNAME hops followed inside a zone before giving up (a loop guard). */
export const MAX_CNAME_CHAIN = 8;

/** Lower-case wire form of a name as a latin1 string: the key of every lookup. */
export function nameKey(labels: readonly Buffer[]): string {
  let key = '';
  for (const l of labels) key += String.fromCharCode(l.length) + l.toString('latin1').toLowerCase();
  return key + '\u0000';
}

/**
 * Writes the lower-case wire form of a plain name (labels of 1 to 63 characters in 0x21..0x7e other
 * than '.' and '\\', separated by single dots, no final dot) into `into`, and returns its length;
 * -1 for any other spelling (escapes, the root, an empty label), which {@link nameToLabels} reads.
 * Placing a name then makes no Buffer per label.
 */
function plainWireName(name: string, into: Buffer): number {
  if (name.length === 0 || name.length > 253) return -1;
  let p = 1;
  let start = 0; // where the current label's length octet goes
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    if (c === 0x2e) {
      const length = p - start - 1;
      if (length === 0 || length > 63) return -1;
      into[start] = length;
      start = p;
      p++;
      continue;
    }
    if (c <= 0x20 || c >= 0x7f || c === 0x5c) return -1;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    into[p++] = c;
  }
  const last = p - start - 1;
  if (last === 0 || last > 63) return -1;
  into[start] = last;
  into[p++] = 0;
  return p;
}

/** An encoded answer: everything after the question. */
export interface EncodedTail {
  readonly rcode: number;
  readonly tail: Uint8Array;
  readonly an: number;
  readonly ns: number;
  readonly ar: number;
}

export interface StaticRRset {
  readonly kind: 'static';
  readonly type: number;
  readonly records: readonly ResourceRecord[];
}

/**
 * Encoded answers by the engine's choice: the engine returns the same frozen array for the same choice,
 * so a choice is found by identity. The first four are kept in fields of this object (a query then
 * reads no other object: at 10,000 names every object read is likely a cache miss), the rest in a
 * WeakMap. Most groups have at most four possible answers (weighted and failover groups answer one
 * record each).
 */
export class ChoiceCache {
  private c0?: readonly RecordSetModel[];
  private t0?: EncodedTail;
  private c1?: readonly RecordSetModel[];
  private t1?: EncodedTail;
  private c2?: readonly RecordSetModel[];
  private t2?: EncodedTail;
  private c3?: readonly RecordSetModel[];
  private t3?: EncodedTail;
  private more?: WeakMap<readonly RecordSetModel[], EncodedTail>;

  get(choice: readonly RecordSetModel[]): EncodedTail | undefined {
    if (this.c0 === choice) return this.t0;
    if (this.c1 === choice) return this.t1;
    if (this.c2 === choice) return this.t2;
    if (this.c3 === choice) return this.t3;
    return this.more?.get(choice);
  }

  set(choice: readonly RecordSetModel[], tail: EncodedTail): void {
    if (this.c0 === undefined) {
      this.c0 = choice;
      this.t0 = tail;
    } else if (this.c1 === undefined) {
      this.c1 = choice;
      this.t1 = tail;
    } else if (this.c2 === undefined) {
      this.c2 = choice;
      this.t2 = tail;
    } else if (this.c3 === undefined) {
      this.c3 = choice;
      this.t3 = tail;
    } else {
      (this.more ??= new WeakMap()).set(choice, tail);
    }
  }
}

/**
 * A failover group at its own name: the engine chooses among its records for every query. Its
 * encoded answers are kept by choice (the fields of {@link ChoiceCache}, first in the object).
 */
export class GroupRRset extends ChoiceCache {
  readonly kind = 'group';
  /**
   * The group prepared by the engine (`CompiledGroup.prepare`) under the verdicts of the health state
   * `preparedFor` at its generation `preparedGeneration`: while neither changes, a query reads no verdict.
   */
  prepared?: PreparedSelect = undefined;
  preparedFor?: object = undefined;
  preparedGeneration = -1;

  constructor(
    readonly name: string,
    readonly recordType: string,
    readonly type: number,
    readonly ttl: number,
    readonly group: CompiledGroup,
  ) {
    super();
  }

  /** The resource records of a record of the group (made when an answer is encoded: they are not kept). */
  recordsOf(r: RecordSetModel): ResourceRecord[] {
    return toRecords(this.name, this.recordType, this.ttl, r.values);
  }
}

/** The routing policies whose answer depends on who asks. */
export type ClientPolicy = 'geolocation' | 'latency' | 'ip-based';

/**
 * A group at the top of a routing tree (it has aliases into other groups of the zone, or a policy that
 * depends on the client): the engine walks the tree for the client, and the answer holds the final
 * records' values under this node's name, with their TTL (an alias has none of its own). Its encoded
 * answers are kept by the final choice (the answering group returns the same array for the same choice).
 */
export class TreeRRset extends ChoiceCache {
  readonly kind = 'tree';

  constructor(
    readonly name: string,
    readonly recordType: string,
    readonly type: number,
    readonly tree: CompiledTree,
    readonly treeGroup: TreeGroup,
    /** The client-dependent policies anywhere in the tree; empty when every client gets the same answers. */
    readonly clientPolicies: ReadonlySet<ClientPolicy>,
  ) {
    super();
  }

  /** The resource records of a final record of the tree, owned by this node's name, with its own TTL. */
  recordsOf(r: RecordSetModel): ResourceRecord[] {
    return toRecords(this.name, this.recordType, r.ttl ?? 0, r.values);
  }

  /** The top group itself (`treeGroup.group`). */
  get group(): CompiledGroup {
    return this.treeGroup.group;
  }
}

export type RRsetSource = StaticRRset | GroupRRset | TreeRRset;

export interface CompiledZone {
  readonly name: string;
  readonly labels: readonly Buffer[];
  readonly key: string;
  readonly config: BundleZone;
  readonly soa: ResourceRecord;
  /** The SOA as RFC 2308 §3 puts it in negative answers: TTL min(SOA TTL, minimum). */
  readonly negativeSoa: ResourceRecord;
  /** Encoded NXDOMAIN tails by the length of the question name in wire form. */
  readonly nxdomain: Map<number, EncodedTail>;
}

/**
 * How a name answers one query type, worked out at its first query of that type: a kept answer (it
 * depends on no verdict and no chance), the failover group or routing tree that answers directly, or
 * `null` for an answer resolved per query (a CNAME chain into a group, ANY).
 */
export type Plan = EncodedTail | GroupRRset | TreeRRset | null;

export interface NameNode {
  /** The query type asked first of this name, and its plan: checked before `plans` (most names are asked one type). */
  hotType: number;
  hotPlan: Plan;
  /** The name, lower-case, without the final dot (its labels are made from it when an answer is encoded). */
  readonly name: string;
  readonly zone: CompiledZone;
  /** RRsets, CNAME excluded, one per type (a name has few: see {@link rrsetOf}). Empty for an empty non-terminal. */
  readonly rrsets: RRsetSource[];
  cname?: RRsetSource;
  /** The plans of the other query types asked (created at the second one). */
  plans?: Map<number, Plan>;
  /**
   * Per query type, encoded answers that depend on exactly one group's choice (a CNAME chain ending
   * at a failover group), by that choice.
   */
  chosen?: Map<number, ChoiceCache>;
}

export interface GroupInfo {
  readonly zone: string;
  readonly name: string;
  readonly recordType: string;
  /** The TTL of its records (for a tree: of the records it answers with, the first one's). */
  readonly ttl: number;
  readonly source: GroupRRset | TreeRRset;
}

/** What one question resolves to, before encoding. */
export interface Resolution {
  rcode: number;
  readonly answers: ResourceRecord[];
  readonly authority: ResourceRecord[];
  readonly additional: ResourceRecord[];
  /** The engine's choices made on the way (one per failover group consulted). */
  readonly selections: (readonly RecordSetModel[])[];
  /** The client-dependent policies consulted on the way (for the response's ECS scope). */
  readonly clientPolicies: Set<ClientPolicy>;
}

/** The RRset of a type at a name (CNAME excluded). */
export function rrsetOf(node: NameNode, type: number): RRsetSource | undefined {
  const list = node.rrsets;
  for (let i = 0; i < list.length; i++) if (list[i].type === type) return list[i];
  return undefined;
}

/** The order in which an ANY query picks its one RRset (RFC 8482 §4.1). */
const ANY_PREFERENCE = [RRType.A, RRType.AAAA, RRType.MX, RRType.TXT, RRType.NS, RRType.SOA];

function rdataOf(value: RecordValue): RData {
  switch (value.kind) {
    case 'A': return { kind: 'A', address: value.address };
    case 'AAAA': return { kind: 'AAAA', address: value.address };
    case 'CNAME': return { kind: 'NAME', name: value.target };
    case 'MX': return { kind: 'MX', mx: { preference: value.preference, exchange: value.exchange } };
    case 'TXT': return { kind: 'TXT', strings: value.strings };
  }
}

const TYPE_CODES: Record<string, number> = { A: RRType.A, AAAA: RRType.AAAA, CNAME: RRType.CNAME, TXT: RRType.TXT, MX: RRType.MX };

function toRecords(name: string, recordType: string, ttl: number, values: readonly string[]): ResourceRecord[] {
  const type = TYPE_CODES[recordType];
  if (type === undefined) throw new Error(`record type '${recordType}' of ${name} is not served; use A, AAAA, CNAME, TXT or MX`);
  return values.map((v) => {
    const parsed = parseRecordValue(recordType, v);
    if (!parsed.ok) throw new Error(`${name} ${recordType}: ${valueProblemText(parsed)}`);
    return { name, type, klass: RRClass.IN, ttl, data: rdataOf(parsed.value) };
  });
}

/** The compiled, immutable data of one loaded config (it keeps of the config only the zones' settings and the record sets its groups answer with). */
export class ZoneSet {
  readonly zones: CompiledZone[] = [];
  readonly groups: GroupInfo[] = [];
  /** The routing trees of the config (every failover group, linked by its aliases). */
  readonly tree: CompiledTree;
  /** Whether any group's answer depends on who asks (geolocation, latency or IP-based routing). */
  readonly clientDependent: boolean;
  private readonly zonesByKey = new Map<string, CompiledZone>();
  private readonly nodes: NameTable<NameNode>;
  /** The wire form of a name being placed (at most 255 octets). */
  private readonly scratch = Buffer.alloc(256);

  /** Compiles a validated bundle config. */
  constructor(config: BundleConfig) {
    // Names: every record set's, the zones' apexes and static records, and their parents (a guess; the table grows).
    this.nodes = new NameTable(config.recordSets.length + config.zones.reduce((n, z) => n + 1 + (z.records ?? []).length, 0));
    for (const z of config.zones) {
      const name = normalizeName(z.name);
      const labels = nameToLabels(name);
      const soaTtl = z.soa.ttl ?? DEFAULT_SOA.ttl;
      const minimum = z.soa.minimum ?? DEFAULT_SOA.minimum;
      const soaData: RData = {
        kind: 'SOA',
        soa: {
          mname: normalizeName(z.soa.mname),
          rname: normalizeName(z.soa.rname),
          serial: z.soa.serial,
          refresh: z.soa.refresh ?? DEFAULT_SOA.refresh,
          retry: z.soa.retry ?? DEFAULT_SOA.retry,
          expire: z.soa.expire ?? DEFAULT_SOA.expire,
          minimum,
        },
      };
      const zone: CompiledZone = {
        name,
        labels,
        key: nameKey(labels),
        config: z,
        soa: { name, type: RRType.SOA, klass: RRClass.IN, ttl: soaTtl, data: soaData },
        negativeSoa: { name, type: RRType.SOA, klass: RRClass.IN, ttl: Math.min(soaTtl, minimum), data: soaData },
        nxdomain: new Map(),
      };
      this.zones.push(zone);
      this.zonesByKey.set(zone.key, zone);
      const apex = this.node(zone, name);
      this.place(apex, { kind: 'static', type: RRType.SOA, records: [zone.soa] });
      const nsTtl = z.nameServerTtl ?? DEFAULT_NAME_SERVER_TTL;
      this.place(apex, {
        kind: 'static',
        type: RRType.NS,
        records: z.nameServers.map((ns) => ({ name, type: RRType.NS, klass: RRClass.IN, ttl: nsTtl, data: { kind: 'NAME', name: normalizeName(ns) } })),
      });
    }
    const zoneByName = new Map(this.zones.map((z) => [z.name, z]));
    for (const z of config.zones) {
      const zone = zoneByName.get(normalizeName(z.name))!;
      const byNameType = new Map<string, { name: string; recordType: string; ttl: number; values: string[] }>();
      for (const r of z.records ?? []) {
        const name = normalizeName(r.name);
        const k = `${name}|${r.recordType}`;
        const merged = byNameType.get(k);
        if (merged) merged.values.push(...r.values);
        else byNameType.set(k, { name, recordType: r.recordType, ttl: r.ttl, values: [...r.values] });
      }
      for (const r of byNameType.values()) {
        const records = toRecords(r.name, r.recordType, r.ttl, r.values);
        this.place(this.node(zone, r.name), { kind: 'static', type: records[0].type, records });
      }
    }
    const zoneFor = zoneFinder(config.zones);
    const located = config.recordSets.map((r) => {
      const name = normalizeName(r.name);
      const hostedZoneName = normalizeName(r.hostedZoneName ?? zoneFor(r.name)!.name);
      // A record already in this form (as a synthesized bundle writes them) is used as it is: no copy per record.
      // Object.assign, not a spread: V8 gave each spread copy a hidden class of its own (5.5 MB at 10,000 gateways).
      return name === r.name && hostedZoneName === r.hostedZoneName ? r : Object.assign({}, r, { name, hostedZoneName });
    });
    // Every group is compiled once, linked into routing trees by its aliases (the engine's compileTree).
    this.tree = compileTree({ recordSets: located, cidrCollections: config.cidrCollections });
    for (const tg of this.tree.groups) {
      const g = tg.recordGroup;
      const zone = zoneByName.get(g.records[0].hostedZoneName!)!;
      const type = TYPE_CODES[g.recordType];
      const reached = reachableGroups(this.tree, tg);
      const clientPolicies = new Set<ClientPolicy>();
      for (const x of reached) {
        const policy = x.group.policy;
        if (policy === 'geolocation' || policy === 'latency' || policy === 'ip-based') clientPolicies.add(policy);
      }
      const aliases = g.records.some((r) => this.tree.targetOf(r) !== undefined);
      let source: GroupRRset | TreeRRset;
      let ttl: number;
      // The records' values are checked here (a value the server cannot encode refuses the config); their
      // resource records are made again when an answer is encoded rather than kept for every record.
      if (!aliases && clientPolicies.size === 0) {
        ttl = g.records[0].ttl ?? 0;
        const group = new GroupRRset(g.name, g.recordType, type, ttl, tg.group);
        for (const r of tg.group.records) group.recordsOf(r);
        source = group;
      } else {
        const tree = new TreeRRset(g.name, g.recordType, type, this.tree, tg, clientPolicies);
        let first: RecordSetModel | undefined;
        for (const x of reached) {
          for (const r of x.group.records) {
            if (this.tree.targetOf(r) !== undefined) continue;
            first ??= r;
            tree.recordsOf(r);
          }
        }
        ttl = first?.ttl ?? 0;
        source = tree;
      }
      this.place(this.node(zone, g.name), source);
      this.groups.push({ zone: zone.name, name: g.name, recordType: g.recordType, ttl, source });
    }
    this.clientDependent = this.groups.some((g) => g.source.kind === 'tree' && g.source.clientPolicies.size > 0);
  }


  private place(node: NameNode, source: RRsetSource): void {
    if (source.type === RRType.CNAME) {
      node.cname = source;
      return;
    }
    const i = node.rrsets.findIndex((x) => x.type === source.type);
    if (i >= 0) node.rrsets[i] = source; // the later one, as a Map by type kept it
    else node.rrsets.push(source);
  }

  /** The node of `name` in `zone`, created with its empty non-terminal parents. */
  private node(zone: CompiledZone, name: string): NameNode {
    const scratch = this.scratch;
    let length = plainWireName(name, scratch);
    let labels = -1;
    let parent: string | undefined;
    if (length < 0) {
      // Escapes or an unusual spelling: the wire form's own parser.
      const parsed = nameToLabels(name);
      const key = Buffer.from(nameKey(parsed), 'latin1');
      key.copy(scratch);
      length = key.length;
      labels = parsed.length;
      parent = parsed.slice(1).map((l) => l.toString('latin1')).join('.');
    }
    let node = this.nodes.get(scratch, 0, length);
    if (!node) {
      node = { hotType: -1, hotPlan: null, name, zone, rrsets: [] };
      this.nodes.set(scratch, node, 0, length);
      if (labels < 0) {
        labels = 1;
        for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) === 0x2e) labels++;
        parent = name.slice(name.indexOf('.') + 1);
      }
      if (labels > zone.labels.length) this.node(zone, parent!);
    }
    return node;
  }

  /** The node for a lower-case wire key, if the name exists. */
  lookup(key: string): NameNode | undefined {
    const wire = Buffer.from(key, 'latin1');
    return this.nodes.get(wire, 0, wire.length);
  }

  /** The node of the name whose wire form is buf[start, end) (any case, uncompressed), if the name exists. */
  lookupWire(buf: Uint8Array, start: number, end: number): NameNode | undefined {
    return this.nodes.get(buf, start, end);
  }

  /** The zone holding a name (given as a wire key), by the longest match, or undefined: not ours. */
  zoneForKey(key: string): CompiledZone | undefined {
    let i = 0;
    for (;;) {
      const zone = this.zonesByKey.get(i === 0 ? key : key.substring(i));
      if (zone) return zone;
      const len = key.charCodeAt(i);
      if (len === 0 || Number.isNaN(len)) return undefined;
      i += len + 1;
    }
  }

  /** Node or zone of a presentation name (for CNAME targets and tests). */
  find(name: string): { node?: NameNode; zone?: CompiledZone } {
    const key = nameKey(nameToLabels(normalizeName(name)));
    const node = this.lookup(key);
    return node ? { node, zone: node.zone } : { zone: this.zoneForKey(key) };
  }

  /**
   * Resolves a question for an existing node: the RRset of the type, or CNAMEs followed inside the
   * zone (at most {@link MAX_CNAME_CHAIN} hops, never twice through a name), or NODATA / NXDOMAIN with
   * the zone's SOA. ANY gets one RRset (RFC 8482). Failover groups answer through the engine.
   */
  resolve(start: NameNode, qtype: number, isHealthy: HealthLookup, random: RandomSource, client: Client = UNKNOWN_CLIENT): Resolution {
    const res: Resolution = { rcode: Rcode.NOERROR, answers: [], authority: [], additional: [], selections: [], clientPolicies: new Set() };
    const recordsOf = (src: RRsetSource): readonly ResourceRecord[] => {
      if (src.kind === 'static') return src.records;
      const chosen = src.kind === 'tree' ? src.tree.resolve(src.treeGroup, isHealthy, random, client) : src.group.select(isHealthy, random);
      if (src.kind === 'tree') for (const p of src.clientPolicies) res.clientPolicies.add(p);
      res.selections.push(chosen);
      const out: ResourceRecord[] = [];
      for (const r of chosen) out.push(...src.recordsOf(r));
      return out;
    };
    let node = start;
    const visited = new Set<NameNode>([start]);
    for (let hops = 0; ; hops++) {
      let src: RRsetSource | undefined;
      if (qtype === RRType.ANY) {
        src = node.cname;
        for (let i = 0; !src && i < ANY_PREFERENCE.length; i++) src = rrsetOf(node, ANY_PREFERENCE[i]);
      } else {
        src = qtype === RRType.CNAME ? node.cname : rrsetOf(node, qtype);
      }
      if (src) {
        const rrs = recordsOf(src);
        // A tree with nothing for this client (a geolocation or IP-based group without a default): NODATA.
        if (rrs.length === 0) res.authority.push(node.zone.negativeSoa);
        res.answers.push(...rrs);
        if (src.type === RRType.NS) this.glue(node.zone, rrs, res.additional);
        return res;
      }
      if (!node.cname) {
        res.authority.push(node.zone.negativeSoa);
        return res;
      }
      const cnames = recordsOf(node.cname);
      res.answers.push(...cnames);
      const data = cnames[0].data;
      if (data.kind !== 'NAME' || hops + 1 >= MAX_CNAME_CHAIN) return res;
      const target = this.find(data.name);
      if (target.zone !== node.zone) return res; // outside this zone: the resolver follows it
      if (!target.node) {
        res.rcode = Rcode.NXDOMAIN; // RFC 6604: the rcode is that of the last name in the chain
        res.authority.push(node.zone.negativeSoa);
        return res;
      }
      if (visited.has(target.node)) return res; // a loop
      visited.add(target.node);
      node = target.node;
    }
  }

  /** A and AAAA records of in-zone name servers, for the additional section of an NS answer. */
  private glue(zone: CompiledZone, ns: readonly ResourceRecord[], into: ResourceRecord[]): void {
    for (const r of ns) {
      if (r.data.kind !== 'NAME') continue;
      const t = this.find(r.data.name);
      if (!t.node || t.zone !== zone) continue;
      for (const type of [RRType.A, RRType.AAAA]) {
        const src = rrsetOf(t.node, type);
        if (src?.kind === 'static') into.push(...src.records);
      }
    }
  }

  /** Encodes a resolution for questions about `node` (any case). */
  encode(node: NameNode, qtype: number, res: Resolution): EncodedTail {
    const w = new Writer(512);
    w.bytes(Buffer.alloc(12));
    w.name(nameToLabels(node.name));
    w.u16(qtype);
    w.u16(RRClass.IN);
    return finish(w, res.rcode, res.answers, res.authority, res.additional);
  }

  /** The NXDOMAIN tail for a question name of `qnameLength` wire octets inside `zone`. */
  nxdomainTail(zone: CompiledZone, qnameLength: number): EncodedTail {
    let tail = zone.nxdomain.get(qnameLength);
    if (!tail) {
      const w = new Writer(256);
      const zoneWire = qnameLength - zone.key.length; // octets of the labels in front of the zone
      w.bytes(Buffer.alloc(12 + zoneWire));
      w.registerName(zone.labels, 12 + zoneWire);
      w.name(zone.labels, false);
      w.u16(0);
      w.u16(RRClass.IN);
      tail = finish(w, Rcode.NXDOMAIN, [], [zone.negativeSoa], []);
      zone.nxdomain.set(qnameLength, tail);
    }
    return tail;
  }
}

/** The groups a tree group reaches through its aliases, itself first (each once; loops end there). */
export function reachableGroups(tree: CompiledTree, top: TreeGroup): TreeGroup[] {
  const out: TreeGroup[] = [];
  const visit = (g: TreeGroup) => {
    if (out.includes(g)) return;
    out.push(g);
    for (const r of g.group.records) {
      const t = tree.targetOf(r);
      if (t) visit(t);
    }
  };
  visit(top);
  return out;
}

function finish(w: Writer, rcode: number, an: readonly ResourceRecord[], ns: readonly ResourceRecord[], ar: readonly ResourceRecord[]): EncodedTail {
  const start = w.length;
  for (const r of an) w.record(r);
  for (const r of ns) w.record(r);
  for (const r of ar) w.record(r);
  const all = w.toBuffer();
  // A copy of its own: a short one lies in the V8 heap next to its typed array object (one read less per query).
  return { rcode, tail: new Uint8Array(all.subarray(start)), an: an.length, ns: ns.length, ar: ar.length };
}
