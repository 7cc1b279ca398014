/**
 * Prefix tables for IP indicators. Written by hand on purpose: this is the matcher's hot path (target: millions
 * of lookups per second against a million indicators), so everything is integer-keyed typed arrays, no bigint,
 * no per-lookup allocation.
 *
 * IPv4: a multibit trie with strides 16/8/8 (levels indexed by the top 16 bits, then the next 8, then the last
 * 8). Each slot holds the longest prefix ending there (prefix expansion) and a child pointer. Host routes (/32),
 * by far the most common indicator, live in an open-addressing hash table instead, so a million hosts do not
 * need a million 256-slot leaf nodes.
 *
 * IPv6: one open-addressing hash table keyed by (masked address, length), probed for each prefix length present,
 * longest first (the "binary search on prefix lengths" idea, done linearly because feeds use few lengths).
 *
 * Each distinct prefix is an entry; `parent[entry]` is the next shorter prefix covering it, so all prefixes
 * containing an address are the longest match followed by its parent chain.
 */

const EMPTY = 0;

/** Open-addressing hash set of 32-bit keys to entry ids (linear probing, power-of-two capacity). */
class U32Map {
  keys: Int32Array;
  vals: Int32Array; // entry id + 1 (0 = empty)
  mask: number;
  size = 0;
  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity * 2) cap <<= 1;
    this.keys = new Int32Array(cap);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
  }
  private static hash(k: number): number {
    return Math.imul(k ^ (k >>> 16), 0x45d9f3b) >>> 0;
  }
  get(k: number): number {
    const key = k | 0;
    const mask = this.mask;
    let i = U32Map.hash(key) & mask;
    for (;;) {
      const v = this.vals[i];
      if (v === EMPTY) return -1;
      if (this.keys[i] === key) return v - 1;
      i = (i + 1) & mask;
    }
  }
  set(k: number, entry: number): void {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const key = k | 0;
    let i = U32Map.hash(key) & this.mask;
    for (;;) {
      if (this.vals[i] === EMPTY) { this.keys[i] = key; this.vals[i] = entry + 1; this.size++; return; }
      if (this.keys[i] === key) { this.vals[i] = entry + 1; return; }
      i = (i + 1) & this.mask;
    }
  }
  private grow(): void {
    const ok = this.keys, ov = this.vals;
    const cap = ok.length * 2;
    this.keys = new Int32Array(cap);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < ok.length; i++) if (ov[i] !== EMPTY) this.set(ok[i], ov[i] - 1);
  }
  bytes(): number { return this.keys.byteLength + this.vals.byteLength; }
}

/** Growable Int32Array. */
class IntVec {
  a: Int32Array;
  n = 0;
  constructor(cap = 1024) { this.a = new Int32Array(cap); }
  ensure(n: number): void {
    if (n <= this.a.length) return;
    let cap = this.a.length;
    while (cap < n) cap *= 2;
    const b = new Int32Array(cap);
    b.set(this.a);
    this.a = b;
  }
}

export class IPv4Trie {
  // level 0: 65536 slots indexed by the top 16 bits
  private best0 = new Int32Array(65536);  // entry id + 1
  private child0 = new Int32Array(65536); // node index + 1 into level 1
  // level 1 and level 2: 256-slot nodes packed in growable arrays
  private best1 = new IntVec(256 * 64);
  private child1 = new IntVec(256 * 64);
  private best2 = new IntVec(256 * 16);
  private nodes1 = 0;
  private nodes2 = 0;
  private hosts = new U32Map(1024);
  /** Lookup key -> entry id, to merge duplicate prefixes. */
  private byKey = new Map<string, number>();
  private entryBits: number[] = [];
  private entryBase: number[] = [];
  private built = false;
  parent: Int32Array = new Int32Array(0);

  get entries(): number { return this.entryBits.length; }

  /** Adds a prefix (base with host bits cleared, length 0..32); returns its entry id (shared by duplicates). */
  add(base: number, bits: number): number {
    const key = `${base}/${bits}`;
    const have = this.byKey.get(key);
    if (have !== undefined) return have;
    if (this.built) throw new Error('IPv4Trie: add after build');
    const id = this.entryBits.length;
    this.entryBits.push(bits);
    this.entryBase.push(base >>> 0);
    this.byKey.set(key, id);
    return id;
  }

  /** Inserts every prefix (shortest first, so longer prefixes overwrite expanded slots) and links parents. */
  build(): void {
    const n = this.entryBits.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.entryBits[a] - this.entryBits[b]);
    this.parent = new Int32Array(n).fill(-1);
    for (const id of order) {
      const base = this.entryBase[id], bits = this.entryBits[id];
      // the longest shorter prefix already inserted is this one's parent
      this.parent[id] = this.lookup(base);
      if (bits === 32) { this.hosts.set(base, id); continue; }
      this.insert(base, bits, id);
    }
    this.byKey.clear();
    this.built = true;
  }

  private insert(base: number, bits: number, id: number): void {
    const top = base >>> 16;
    if (bits <= 16) {
      const span = 1 << (16 - bits);
      for (let i = 0; i < span; i++) this.best0[top + i] = id + 1;
      return;
    }
    let n1 = this.child0[top];
    if (!n1) { n1 = ++this.nodes1; this.best1.ensure(n1 * 256); this.child1.ensure(n1 * 256); this.child0[top] = n1; }
    const o1 = (n1 - 1) * 256;
    const mid = (base >>> 8) & 255;
    if (bits <= 24) {
      const span = 1 << (24 - bits);
      for (let i = 0; i < span; i++) this.best1.a[o1 + mid + i] = id + 1;
      return;
    }
    let n2 = this.child1.a[o1 + mid];
    if (!n2) { n2 = ++this.nodes2; this.best2.ensure(n2 * 256); this.child1.a[o1 + mid] = n2; }
    const o2 = (n2 - 1) * 256;
    const low = base & 255;
    const span = 1 << (32 - bits);
    for (let i = 0; i < span; i++) this.best2.a[o2 + low + i] = id + 1;
  }

  /** Longest prefix containing `ip` (unsigned 32-bit integer): its entry id, or -1. */
  lookup(ip: number): number {
    const h = this.hosts.get(ip);
    if (h >= 0) return h;
    const top = ip >>> 16;
    let best = this.best0[top];
    const n1 = this.child0[top];
    if (n1) {
      const i1 = (n1 - 1) * 256 + ((ip >>> 8) & 255);
      const b1 = this.best1.a[i1];
      if (b1) best = b1;
      const n2 = this.child1.a[i1];
      if (n2) {
        const b2 = this.best2.a[(n2 - 1) * 256 + (ip & 255)];
        if (b2) best = b2;
      }
    }
    return best - 1;
  }

  bits(entry: number): number { return this.entryBits[entry]; }
  base(entry: number): number { return this.entryBase[entry]; }

  /** Bytes held by the typed arrays (what grows with the number of prefixes). */
  bytes(): number {
    return this.best0.byteLength + this.child0.byteLength + this.nodes1 * 256 * 8 + this.nodes2 * 256 * 4 + this.hosts.bytes();
  }
}

/** Open-addressing table keyed by (4 words, length). */
export class IPv6Table {
  private keys = new Int32Array(16 * 4);
  private lens = new Int16Array(16);
  private vals = new Int32Array(16); // entry id + 1
  private mask = 15;
  private size = 0;
  private lengths: number[] = []; // present lengths, longest first
  private lengthSet = new Set<number>();
  private entryWords: number[] = [];
  private entryBits: number[] = [];
  private built = false;
  parent: Int32Array = new Int32Array(0);
  private readonly tmp = new Uint32Array(4);

  get entries(): number { return this.entryBits.length; }

  private static hash(w0: number, w1: number, w2: number, w3: number, len: number): number {
    let h = Math.imul(w0 ^ len, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 15) ^ w1, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13) ^ w2, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16) ^ w3, 0x27d4eb2f);
    return (h ^ (h >>> 15)) >>> 0;
  }

  private find(w0: number, w1: number, w2: number, w3: number, len: number): number {
    let i = IPv6Table.hash(w0, w1, w2, w3, len) & this.mask;
    for (;;) {
      const v = this.vals[i];
      if (v === EMPTY) return -1;
      const k = i * 4;
      if (this.lens[i] === len && this.keys[k] === (w0 | 0) && this.keys[k + 1] === (w1 | 0) && this.keys[k + 2] === (w2 | 0) && this.keys[k + 3] === (w3 | 0)) return v - 1;
      i = (i + 1) & this.mask;
    }
  }

  private put(w0: number, w1: number, w2: number, w3: number, len: number, id: number): void {
    if ((this.size + 1) * 2 > this.vals.length) this.grow();
    let i = IPv6Table.hash(w0, w1, w2, w3, len) & this.mask;
    while (this.vals[i] !== EMPTY) i = (i + 1) & this.mask;
    const k = i * 4;
    this.keys[k] = w0; this.keys[k + 1] = w1; this.keys[k + 2] = w2; this.keys[k + 3] = w3;
    this.lens[i] = len;
    this.vals[i] = id + 1;
    this.size++;
  }

  private grow(): void {
    const ok = this.keys, ol = this.lens, ov = this.vals;
    const cap = ov.length * 2;
    this.keys = new Int32Array(cap * 4);
    this.lens = new Int16Array(cap);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < ov.length; i++) if (ov[i] !== EMPTY) this.put(ok[i * 4], ok[i * 4 + 1], ok[i * 4 + 2], ok[i * 4 + 3], ol[i], ov[i] - 1);
  }

  /** Adds a prefix (words with host bits cleared); returns its entry id (shared by duplicates). */
  add(w: ArrayLike<number>, bits: number): number {
    const have = this.find(w[0], w[1], w[2], w[3], bits);
    if (have >= 0) return have;
    if (this.built) throw new Error('IPv6Table: add after build');
    const id = this.entryBits.length;
    this.entryBits.push(bits);
    this.entryWords.push(w[0] >>> 0, w[1] >>> 0, w[2] >>> 0, w[3] >>> 0);
    this.put(w[0], w[1], w[2], w[3], bits, id);
    if (!this.lengthSet.has(bits)) { this.lengthSet.add(bits); this.lengths.push(bits); this.lengths.sort((a, b) => b - a); }
    return id;
  }

  build(): void {
    const n = this.entryBits.length;
    this.parent = new Int32Array(n).fill(-1);
    const t = this.tmp;
    for (let id = 0; id < n; id++) {
      t[0] = this.entryWords[id * 4]; t[1] = this.entryWords[id * 4 + 1]; t[2] = this.entryWords[id * 4 + 2]; t[3] = this.entryWords[id * 4 + 3];
      this.parent[id] = this.lookupBelow(t, this.entryBits[id]);
    }
    this.built = true;
  }

  /** Longest prefix containing the address (four words): its entry id, or -1. */
  lookup(w: ArrayLike<number>): number {
    return this.lookupBelow(w, 129);
  }

  private lookupBelow(w: ArrayLike<number>, below: number): number {
    const lens = this.lengths;
    for (let i = 0; i < lens.length; i++) {
      const len = lens[i];
      if (len >= below) continue;
      // mask each word
      const m0 = len >= 32 ? 0xffffffff : len <= 0 ? 0 : ~(0xffffffff >>> len);
      const m1 = len >= 64 ? 0xffffffff : len <= 32 ? 0 : ~(0xffffffff >>> (len - 32));
      const m2 = len >= 96 ? 0xffffffff : len <= 64 ? 0 : ~(0xffffffff >>> (len - 64));
      const m3 = len >= 128 ? 0xffffffff : len <= 96 ? 0 : ~(0xffffffff >>> (len - 96));
      const r = this.find((w[0] & m0) >>> 0, (w[1] & m1) >>> 0, (w[2] & m2) >>> 0, (w[3] & m3) >>> 0, len);
      if (r >= 0) return r;
    }
    return -1;
  }

  bits(entry: number): number { return this.entryBits[entry]; }

  bytes(): number { return this.keys.byteLength + this.lens.byteLength + this.vals.byteLength; }
}
