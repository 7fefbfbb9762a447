/**
 * The names of a zone set by their wire form, looked up straight from a query's bytes, in any case.
 *
 * Written by hand rather than a `Map` keyed by the name as a string because at fleet scale the lookup
 * is bound by memory, not by instructions: with 10,000 names each step of a `Map` lookup (its bucket,
 * its entry, the stored key string to compare) is likely a cache miss, and so is making the key
 * string. Here a lookup hashes the question's octets where they lie in the query, reads one 16-octet
 * slot (hash, value index, key offset, key length) and compares the octets with the stored key in
 * one shared buffer: two reads of memory that is not already in cache (bench/README.md, "Fleet
 * scale: big zones and synth (issue 14)": CPU per query from 10 to 10,000 names).
 *
 * Open addressing with linear probing over a power-of-two table kept at most half full; the hash is
 * 32-bit FNV-1a over the lower-cased octets. Label length octets are below 64, so lower-casing the
 * whole wire form changes only the letters A-Z.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Int32 fields per slot: hash, value index + 1 (0: empty), key offset, key length. */
const SLOT = 4;

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/** FNV-1a of the lower-cased octets buf[start, end). */
export function wireNameHash(buf: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ lower(buf[i]), FNV_PRIME);
  return h | 0;
}

export class NameTable<T> {
  private slots: Int32Array;
  private mask: number;
  private keys: Buffer;
  private keyEnd = 0;
  private readonly values: T[] = [];

  /** @param expected the number of names expected (the table grows past it) */
  constructor(expected = 16) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.slots = new Int32Array(capacity * SLOT);
    this.mask = capacity - 1;
    this.keys = Buffer.allocUnsafe(Math.max(256, expected * 24));
  }

  get size(): number {
    return this.values.length;
  }

  /**
   * Adds a name, its wire form (lower-case) being key[start, end), with its value; a name already
   * present keeps its first value. The octets are copied.
   */
  set(key: Uint8Array, value: T, start = 0, end = key.length): void {
    const hash = wireNameHash(key, start, end);
    if (this.find(key, start, end, hash) >= 0) return;
    if ((this.values.length + 1) * 2 > this.mask + 1) this.grow();
    const length = end - start;
    if (this.keyEnd + length > this.keys.length) {
      const keys = Buffer.allocUnsafe(Math.max(this.keys.length * 2, this.keyEnd + length));
      this.keys.copy(keys, 0, 0, this.keyEnd);
      this.keys = keys;
    }
    for (let i = 0; i < length; i++) this.keys[this.keyEnd + i] = key[start + i];
    this.values.push(value);
    this.insert(hash, this.values.length, this.keyEnd, length);
    this.keyEnd += length;
  }

  /** The value of the name whose wire form is buf[start, end) (any case), or undefined. */
  get(buf: Uint8Array, start: number, end: number): T | undefined {
    const i = this.find(buf, start, end, wireNameHash(buf, start, end));
    return i >= 0 ? this.values[i] : undefined;
  }

  /** Every value, in the order the names were added. */
  all(): readonly T[] {
    return this.values;
  }

  private find(buf: Uint8Array, start: number, end: number, hash: number): number {
    const slots = this.slots;
    const length = end - start;
    const keys = this.keys;
    for (let s = hash & this.mask; ; s = (s + 1) & this.mask) {
      const at = s * SLOT;
      const index = slots[at + 1];
      if (index === 0) return -1;
      if (slots[at] !== hash || slots[at + 3] !== length) continue;
      let k = slots[at + 2];
      let i = start;
      while (i < end && lower(buf[i]) === keys[k]) {
        i++;
        k++;
      }
      if (i === end) return index - 1;
    }
  }

  private insert(hash: number, index: number, offset: number, length: number): void {
    const slots = this.slots;
    let s = hash & this.mask;
    while (slots[s * SLOT + 1] !== 0) s = (s + 1) & this.mask;
    const at = s * SLOT;
    slots[at] = hash;
    slots[at + 1] = index;
    slots[at + 2] = offset;
    slots[at + 3] = length;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = (this.mask + 1) * 2 - 1;
    for (let at = 0; at < old.length; at += SLOT) {
      if (old[at + 1] !== 0) this.insert(old[at], old[at + 1], old[at + 2], old[at + 3]);
    }
  }
}
